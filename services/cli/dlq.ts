import { randomUUID } from 'crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { DLQ_HEADERS } from '../../shared/runner/dlq';

export interface DeadLetter {
  partition: number;
  offset: string;
  key: string | null;
  reason: string;
  error: string;
  sourceTopic: string;
  sourceOffset: string;
  at: string;
  message: KafkaMessage;
}

const header = (m: KafkaMessage, name: string) => m.headers?.[name]?.toString() ?? '';

/**
 * Reads a DLQ from `start` (per partition; default: what the replay group has not replayed yet)
 * up to its end as it was when called. With `commitAs`, the group's offsets move past what was read.
 */
export async function readDeadLetters(kafka: Kafka, dlqTopic: string, replayGroup: string, opts: { commit: boolean; limit: number; all?: boolean }, onEach?: (d: DeadLetter) => Promise<void>): Promise<DeadLetter[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(dlqTopic);
  const [committed] = await admin.fetchOffsets({ groupId: replayGroup, topics: [dlqTopic] });
  await admin.disconnect();
  const start = new Map(ends.map((p) => {
    const c = Number(committed?.partitions.find((x) => x.partition === p.partition)?.offset ?? -1);
    return [p.partition, opts.all || c < 0 ? Number(p.low) : Math.max(c, Number(p.low))];
  }));
  const end = new Map(ends.map((p) => [p.partition, Number(p.high)]));
  const pending = [...end].filter(([p, e]) => e > start.get(p)!).map(([p]) => p);
  if (pending.length === 0) return [];

  const out: DeadLetter[] = [];
  // it reads only up to end offsets known to exist, and its disconnect waits for the fetch in flight: a short wait lets the command exit at once
  const consumer = kafka.consumer({ groupId: opts.commit ? replayGroup : `${replayGroup}-look-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: dlqTopic, fromBeginning: true });
  const finished = new Set<number>();
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const offset = Number(message.offset);
          if (finished.has(partition) || offset >= end.get(partition)! || out.length >= opts.limit) return;
          const d: DeadLetter = {
            partition, offset: message.offset, key: message.key?.toString() ?? null, message,
            reason: header(message, DLQ_HEADERS.reason), error: header(message, DLQ_HEADERS.error),
            sourceTopic: header(message, DLQ_HEADERS.sourceTopic), sourceOffset: header(message, DLQ_HEADERS.sourceOffset), at: header(message, DLQ_HEADERS.at),
          };
          await onEach?.(d);
          out.push(d);
          if (opts.commit) await consumer.commitOffsets([{ topic: dlqTopic, partition, offset: String(offset + 1) }]);
          if (offset + 1 >= end.get(partition)! || out.length >= opts.limit) finished.add(partition);
          if (pending.every((p) => finished.has(p)) || out.length >= opts.limit) resolve();
        },
      })
      .catch(reject);
    consumer.on(consumer.events.GROUP_JOIN, () => {
      for (const p of pending) consumer.seek({ topic: dlqTopic, partition: p, offset: String(start.get(p)) });
    });
  });
  await consumer.disconnect();
  return out;
}
