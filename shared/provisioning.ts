import type { Admin } from 'kafkajs';
import type { AvroCodec } from './contracts/codec';
import { OmsError } from './errors';
import { DLQ_PARTITIONS, dlqName, TOPICS, TopicKey, topicName } from './topics';

/** Creates every topic of the registry and its DLQ; existing topics are left as they are. */
export async function ensureTopics(admin: Admin, prefix: string, partitionsOverride?: number): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const wanted = (Object.keys(TOPICS) as TopicKey[]).flatMap((k) => {
    const name = topicName(k, prefix);
    return [
      { topic: name, numPartitions: partitionsOverride ?? TOPICS[k].partitions },
      { topic: dlqName(name), numPartitions: DLQ_PARTITIONS },
    ];
  });
  const missing = wanted.filter((t) => !existing.has(t.topic));
  if (missing.length > 0) {
    await admin.createTopics({ topics: missing.map((t) => ({ ...t, replicationFactor: -1 })), waitForLeaders: true });
  }
  return missing.map((t) => t.topic);
}

/**
 * Registers every record's schema under its topic's subject (BACKWARD compatibility). A
 * registration the registry did not answer in time is sent again (registering the same schema
 * twice gives the same id), up to `attempts` times.
 */
export async function registerSchemas(codec: AvroCodec, prefix: string, attempts = 3): Promise<number> {
  let count = 0;
  for (const k of Object.keys(TOPICS) as TopicKey[]) {
    for (const record of TOPICS[k].records) {
      await registerWithRetry(codec, topicName(k, prefix), record, attempts);
      count++;
    }
  }
  return count;
}

async function registerWithRetry(codec: AvroCodec, topic: string, record: string, attempts: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await codec.register(topic, record, { resume: attempt > 1 });
      return;
    } catch (err) {
      if (!(err instanceof OmsError && err.retriable) || attempt >= attempts) throw err;
    }
  }
}
