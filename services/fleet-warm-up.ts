import type { Platform } from '../shared/bootstrap';
import { TOPICS, type TopicKey, topicName } from '../shared/topics';

/**
 * The connections a process of `services` services uses at once: each runs one chunk's transaction
 * at a time and deletes its last sent outbox row on another. Opening the whole pool instead would
 * hold DATABASE_POOL_MAX connections per process from its start, and a fleet of many one-service
 * processes sized for what it uses would meet Postgres's connection limit.
 */
export const connectionsInUse = (services: number, poolMax: number) => Math.min(poolMax, 2 * services);

export interface WarmUpResult {
  connections: number;
  schemas: number;
  /** What could not be done now; the handlers get it when they first need it, as without a warm-up. */
  failed: { what: string; err: string }[];
}

/**
 * Before a fleet process consumes: opens `connections` connections of its pool and fetches every
 * record's schema id and schema. Without it the first messages after a start each waited for a Postgres
 * connection's set-up and a registry round trip per record type, on top of the code's own cold
 * start: at 250 orders/s the first order took 207–256 ms against 417–854 without it, and a run's
 * p99 was 0.54× (README Benchmark). Nothing here is required: a failure is reported, not thrown.
 */
export async function warmUp({ db, codec, config }: Pick<Platform, 'db' | 'codec' | 'config'>, connections: number): Promise<WarmUpResult> {
  const failed: WarmUpResult['failed'] = [];
  const attempt = (what: string, work: () => Promise<unknown>) =>
    work().then(
      () => true,
      (err: unknown) => (failed.push({ what, err: err instanceof Error ? err.message : String(err) }), false),
    );
  // concurrent queries on an empty pool make it open that many connections (connectionsInUse keeps them within it)
  const opened = await Promise.all(Array.from({ length: connections }, () => attempt('a database connection', () => db.raw('SELECT 1'))));
  const records = (Object.keys(TOPICS) as TopicKey[]).flatMap((k) => TOPICS[k].records.map((record) => ({ topic: topicName(k, config.KAFKA_TOPIC_PREFIX), record })));
  const loaded = await Promise.all(records.map(({ topic, record }) => attempt(`the schema of ${record} on ${topic}`, () => codec.preload(topic, record))));
  return { connections: opened.filter(Boolean).length, schemas: loaded.filter(Boolean).length, failed };
}
