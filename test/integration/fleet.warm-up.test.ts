import { randomUUID } from 'crypto';
import { createPlatform, type Platform } from '../../shared/bootstrap';
import { registerSchemas } from '../../shared/provisioning';
import { TOPICS, type TopicKey, topicName } from '../../shared/topics';
import { connectionsInUse, warmUp } from '../../services/fleet-warm-up';
import { testEnv } from '../support/env';
import { startRegistryProxy } from '../support/registry-proxy';

const upstream = testEnv().SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';
const everyRecord = (prefix: string) => (Object.keys(TOPICS) as TopicKey[]).flatMap((k) => TOPICS[k].records.map((record) => ({ topic: topicName(k, prefix), record })));

/** A fleet process opens its pool and fetches every schema before it consumes (services/fleet-warm-up.ts). */
describe('the fleet warm-up', () => {
  const platforms: Platform[] = [];
  afterAll(() => Promise.all(platforms.map((p) => p.db.destroy())));

  /** A platform whose registry calls go through a counting pass-through, with its own application name in pg_stat_activity. */
  async function platformThroughProxy(prefix: string) {
    const proxy = await startRegistryProxy(upstream, () => false);
    const name = `warmup${randomUUID().slice(0, 8)}`;
    const platform = createPlatform(name, testEnv({ KAFKA_TOPIC_PREFIX: prefix, DATABASE_POOL_MAX: '5', SCHEMA_REGISTRY_URL: proxy.url }));
    platforms.push(platform);
    const sessions = async () => Number((await platform.db.raw('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = ?', [`oms-${name}`])).rows[0].n);
    return { platform, proxy, sessions };
  }

  it('when the schemas are registered, then the connections asked for are open and no record needs the registry again', async () => {
    const prefix = `t${randomUUID().slice(0, 8)}.`;
    const { platform, proxy, sessions } = await platformThroughProxy(prefix);
    try {
      await registerSchemas(platform.codec, prefix);
      const records = everyRecord(prefix);

      const result = await warmUp(platform, 3);

      expect(result).toEqual({ connections: 3, schemas: records.length, failed: [] });
      // counted from a session of this same pool, which is one of the three: the pool (max 5) opened no more
      expect(await sessions()).toBe(3);
      const requestsAfterWarmUp = proxy.seen;
      for (const { topic, record } of records) {
        const framed = Buffer.alloc(5);
        framed.writeInt32BE(await platform.codec.schemaId(topic, record), 1);
        // known without a promise: the runner drops another service's records on this path
        expect(platform.codec.knownRecordName(framed)).toBe(record);
      }
      expect(proxy.seen).toBe(requestsAfterWarmUp);
    } finally {
      await proxy.close();
    }
  }, 60_000);

  it('when the schemas are not registered, then it says which could not be fetched and does not throw', async () => {
    const { platform, proxy } = await platformThroughProxy(`t${randomUUID().slice(0, 8)}.`);
    try {
      const result = await warmUp(platform, 3);

      expect(result.connections).toBe(3);
      expect(result.schemas).toBe(0);
      expect(result.failed).toHaveLength(everyRecord(platform.config.KAFKA_TOPIC_PREFIX).length);
      expect(result.failed[0]!.what).toMatch(/^the schema of io\.oms\.\S+ on t\w+\.\S+$/);
      expect(result.failed[0]!.err).toMatch(/is not registered under .*: run `npm run provision`/);
      // a handler emitting such a record waits for provisioning (retried, logged as an error); its message is not at fault
      const { topic, record } = everyRecord(platform.config.KAFKA_TOPIC_PREFIX)[0]!;
      await expect(platform.codec.schemaId(topic, record)).rejects.toMatchObject({ code: 'registry_misconfigured', retriable: true });
    } finally {
      await proxy.close();
    }
  }, 60_000);

  it('opens two connections per service of the process, within the pool', () => {
    expect(connectionsInUse(1, 10)).toBe(2);
    expect(connectionsInUse(6, 10)).toBe(10);
    expect(connectionsInUse(3, 4)).toBe(4);
  });
});
