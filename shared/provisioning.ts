import type { Admin } from 'kafkajs';
import type { AvroCodec } from './contracts/codec';
import { createTopicsWithLeaders } from './kafka/create-topics';
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
  await createTopicsWithLeaders(admin, missing.map((t) => ({ ...t, replicationFactor: -1 })));
  return missing.map((t) => t.topic);
}

/**
 * Deletes every topic whose name starts with `prefix`: the topics of one test file, bench run or
 * fault scenario, which each get a prefix of their own. A broker keeps files open for every
 * partition it holds, so runs that leave their topics behind end with a broker out of file
 * descriptors. Refuses a prefix that could match the fleet's own topics.
 */
export async function deleteTopicsWithPrefix(admin: Admin, prefix: string): Promise<string[]> {
  if (!/^[A-Za-z0-9-]{4,}[._-]$/.test(prefix)) throw new Error(`refusing to delete topics by the prefix "${prefix}": a run's own prefix (4 or more letters, digits or hyphens, then '.', '_' or '-') is needed`);
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
  if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30000 });
  return topics;
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
