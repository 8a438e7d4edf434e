import { randomUUID } from 'crypto';
import { AvroCodec, createSchemaRegistry } from '../../shared/contracts/codec';
import { registerSchemas } from '../../shared/provisioning';
import { subjectFor, TOPICS, topicName, type TopicKey } from '../../shared/topics';
import { testEnv } from '../support/env';
import { startRegistryProxy } from '../support/registry-proxy';

const upstream = new URL(testEnv().SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7');

/** A pass-through to the real registry that never answers its `swallow`-th request (1-based). */
const registrySwallowing = (swallow: number) => startRegistryProxy(upstream.toString(), (_req, _res, n) => n === swallow);

describe('provisioning when the registry leaves a request unanswered', () => {
  it('when one registration request is never answered, then it is given up after the timeout and sent again, and every schema ends up registered', async () => {
    const proxy = await registrySwallowing(3);
    try {
      const codec = new AvroCodec(createSchemaRegistry({ SCHEMA_REGISTRY_URL: proxy.url, SCHEMA_REGISTRY_USERNAME: '', SCHEMA_REGISTRY_PASSWORD: '' }), 500);
      const prefix = `t${randomUUID().slice(0, 8)}.`;
      const records = (Object.keys(TOPICS) as TopicKey[]).reduce((n, k) => n + TOPICS[k].records.length, 0);
      expect(await registerSchemas(codec, prefix)).toBe(records);
      expect(proxy.seen).toBeGreaterThanOrEqual(3);
      // straight to the registry: every subject is there
      const direct = new AvroCodec(createSchemaRegistry({ SCHEMA_REGISTRY_URL: upstream.toString(), SCHEMA_REGISTRY_USERNAME: '', SCHEMA_REGISTRY_PASSWORD: '' }), 10_000);
      for (const k of Object.keys(TOPICS) as TopicKey[]) {
        for (const record of TOPICS[k].records) {
          expect(await direct.schemaId(topicName(k, prefix), record)).toBeGreaterThan(0);
          // the swallowed request (the 3rd) was the first subject's compatibility setting: every subject has it
          const config = await fetch(`${upstream.toString().replace(/\/$/, '')}/config/${encodeURIComponent(subjectFor(topicName(k, prefix), record))}`).then((r) => r.json());
          expect(config).toMatchObject({ compatibilityLevel: 'BACKWARD' });
        }
      }
    } finally {
      await proxy.close();
    }
  }, 60_000);
});
