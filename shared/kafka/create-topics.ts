import type { Admin, ITopicConfig } from 'kafkajs';
import { kafkaErrorTypeIn } from './error-type';

/** What a broker answers about a topic it has created but whose partitions it does not know yet. */
const NOT_YET_LED = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION']);

/**
 * Creates `topics` and returns once every partition of each has a leader that answers for it.
 *
 * kafkajs's own `waitForLeaders` retries only LEADER_NOT_AVAILABLE; a KRaft broker whose metadata
 * has not caught up with its controller answers UNKNOWN_TOPIC_OR_PARTITION for a topic it has just
 * created, and kafkajs then fails the whole creation (tulios/kafkajs#815; CI failed on it once).
 * So the creation does not wait, and this waits instead, tolerating those answers until `timeoutMs`.
 * A leader named in the metadata may not act as one yet (NOT_LEADER_FOR_PARTITION to the first
 * sends), so each topic's offsets are asked of its leaders too, and asked again until they answer.
 */
export async function createTopicsWithLeaders(
  admin: Admin, topics: ITopicConfig[], { timeoutMs = 30000, pollMs = 100 } = {},
): Promise<void> {
  if (topics.length === 0) return;
  await admin.createTopics({ topics, waitForLeaders: false, timeout: timeoutMs });
  await waitForLeaders(admin, topics.map((t) => t.topic), { timeoutMs, pollMs });
}

async function waitForLeaders(admin: Admin, names: string[], { timeoutMs, pollMs }: { timeoutMs: number; pollMs: number }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // a first pause, as kafkajs's own wait makes: each early answer is logged by kafkajs as an error
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    let lastAnswer: string;
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: names });
      const leaderless = topics.filter((t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0));
      if (leaderless.length === 0) {
        const offsets = await Promise.allSettled(names.map((name) => admin.fetchTopicOffsets(name)));
        const notYet = offsets.find((o): o is PromiseRejectedResult => o.status === 'rejected');
        if (!notYet) return;
        // with several brokers, the broker kafkajs asks for a topic's partitions before their
        // offsets may not know them yet, and kafkajs then fails inside (a TypeError, not an error
        // of the protocol): until the deadline, any failure here is taken as not ready yet
        lastAnswer = `offsets not yet served: ${(notYet.reason as Error).message}`;
      } else lastAnswer = `no leader yet for ${leaderless.map((t) => t.name).join(', ')}`;
    } catch (err) {
      const type = kafkaErrorTypeIn(err, NOT_YET_LED);
      if (!type) throw err;
      lastAnswer = type;
    }
    if (Date.now() + pollMs > deadline) {
      throw new Error(`topics ${names.join(', ')} created, but their partitions had no leader within ${timeoutMs} ms (last answer: ${lastAnswer})`);
    }
  }
}
