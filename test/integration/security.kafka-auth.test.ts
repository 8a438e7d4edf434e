import { execFileSync } from 'child_process';
import { randomUUID } from 'crypto';
import { join } from 'path';
import { Writable } from 'stream';
import type { Kafka } from 'kafkajs';
import { describeConfig, loadConfig } from '../../shared/config';
import { AvroCodec, createSchemaRegistry } from '../../shared/contracts/codec';
import { OmsError } from '../../shared/errors';
import { createIdempotentProducer, createKafka } from '../../shared/kafka/client';
import { createTopicsWithLeaders } from '../../shared/kafka/create-topics';
import { createLogger } from '../../shared/logger';
import { startBasicAuthRegistryProxy, BasicAuthRegistryProxy } from '../support/basic-auth-registry-proxy';
import { testEnv } from '../support/env';
import { eventually } from '../support/stack';

/** Ports, CA and the test-only SCRAM user of the local stack, from the one place they are set. */
function localStackSecurity() {
  const script = 'source stack/env.sh && printf "%s\\n" "$KAFKA_SASL_PORT" "$KAFKA_SASL_SSL_PORT" "$KAFKA_TLS_DIR" "$KAFKA_TEST_USER" "$KAFKA_TEST_PASSWORD"';
  const [saslPort, saslSslPort, tlsDir, user, password] = execFileSync('bash', ['-c', script], { cwd: join(__dirname, '../..'), encoding: 'utf8' }).trim().split('\n');
  return { saslPort: saslPort!, saslSslPort: saslSslPort!, caFile: join(tlsDir!, 'ca.pem'), user: user!, password: password! };
}

/** A logger whose lines are kept, to prove what reaches the log. */
function capturedLogger() {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  return { log: createLogger('security-test', 'debug', sink), text: () => lines.join('') };
}

/** Give up after the first failed attempt, quickly: the failure tests must not wait out kafkajs's retries. */
const FAIL_FAST = { retry: { retries: 0 }, connectionTimeout: 3000, authenticationTimeout: 5000 };

function withDeadline<T>(what: string, p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)));
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/** Creates a fresh topic, produces one message with the idempotent producer and consumes it back. */
async function roundTrip(kafka: Kafka): Promise<string> {
  const topic = `tsec${randomUUID().slice(0, 8)}.auth-check`;
  const sent = `hello ${randomUUID()}`;
  const admin = kafka.admin();
  const producer = createIdempotentProducer(kafka);
  const consumer = kafka.consumer({ groupId: `g-${topic}`, maxWaitTimeInMs: 100 });
  try {
    await admin.connect();
    await createTopicsWithLeaders(admin, [{ topic, numPartitions: 1, replicationFactor: 1 }]);
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: sent }] });
    const received: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void received.push(String(message.value)) });
    const [got] = await eventually(`the message on ${topic}`, async () => received, 30000);
    return got!;
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

describe('Kafka authentication on the local broker (SASL/SCRAM, TLS)', () => {
  const sec = localStackSecurity();
  const scram = (mechanism: string, overrides: Record<string, string> = {}) =>
    loadConfig(testEnv({
      KAFKA_BROKERS: `127.0.0.1:${sec.saslPort}`,
      KAFKA_SASL_MECHANISM: mechanism,
      KAFKA_SASL_USERNAME: sec.user,
      KAFKA_SASL_PASSWORD: sec.password,
      ...overrides,
    }));

  it.each(['scram-sha-256', 'scram-sha-512'])('when the client authenticates with %s and the right password, then it produces and consumes on a fresh topic', async (mechanism) => {
    const { log } = capturedLogger();
    const kafka = createKafka(scram(mechanism), 'security-test', log);
    expect(await roundTrip(kafka)).toMatch(/^hello /);
  });

  it('when the password is wrong, then connecting fails fast with an authentication error and neither password reaches the log', async () => {
    const wrong = `wrong-${randomUUID()}`;
    const config = scram('scram-sha-512', { KAFKA_SASL_PASSWORD: wrong });
    const captured = capturedLogger();
    captured.log.info({ config: describeConfig(config) }, 'configuration');
    const kafka = createKafka(config, 'security-test', captured.log, FAIL_FAST);
    const producer = kafka.producer();
    const started = Date.now();
    const error = await withDeadline('connect with a wrong password', producer.connect(), 15000).then(
      () => undefined,
      (e: Error) => e,
    );
    await producer.disconnect().catch(() => undefined);
    expect(error).toBeDefined();
    expect(`${error!.name}: ${error!.message}`).toMatch(/KafkaJSSASLAuthenticationError.*SASL SCRAM SHA512 authentication failed/s);
    expect(Date.now() - started).toBeLessThan(15000);
    expect(captured.text()).toContain('"KAFKA_SASL_PASSWORD":"***"');
    expect(captured.text()).not.toContain(wrong);
    expect(captured.text()).not.toContain(sec.password);
  });

  it('when TLS is on with the local CA file, then SCRAM over TLS produces and consumes on a fresh topic', async () => {
    const config = scram('scram-sha-512', { KAFKA_BROKERS: `127.0.0.1:${sec.saslSslPort}`, KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: sec.caFile });
    expect(config.KAFKA_SSL_CA_FILE).toBe(sec.caFile);
    const kafka = createKafka(config, 'security-test', capturedLogger().log);
    expect(await roundTrip(kafka)).toMatch(/^hello /);
  });

  it('when TLS is on without the local CA file, then the self-signed broker certificate is refused', async () => {
    const config = scram('scram-sha-512', { KAFKA_BROKERS: `127.0.0.1:${sec.saslSslPort}`, KAFKA_SSL: 'true' });
    const producer = createKafka(config, 'security-test', capturedLogger().log, FAIL_FAST).producer();
    const error = await withDeadline('connect without the CA', producer.connect(), 15000).then(
      () => undefined,
      (e: Error) => e,
    );
    await producer.disconnect().catch(() => undefined);
    expect(error?.message).toMatch(/self[- ]signed certificate/i);
  });

  it('when KAFKA_SSL_CA_FILE names a missing file, then start-up is refused naming the variable', () => {
    expect(() => scram('scram-sha-512', { KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem' })).toThrow(/KAFKA_SSL_CA_FILE: file not found/);
  });
});

describe('Schema Registry basic auth (through a basic-auth proxy in front of the real registry)', () => {
  const user = 'oms-registry';
  const password = `registry-${randomUUID()}`;
  const topic = `tsec${randomUUID().slice(0, 8)}.warehouse.stock-levels`;
  const record = 'io.oms.warehouse.StockLevelSet' as const;
  let proxy: BasicAuthRegistryProxy;

  beforeAll(async () => {
    proxy = await startBasicAuthRegistryProxy(loadConfig(testEnv()).SCHEMA_REGISTRY_URL, user, password);
  });
  afterAll(() => proxy.close());

  const codecWith = (credentials: Record<string, string>) => {
    const config = loadConfig(testEnv({ SCHEMA_REGISTRY_URL: proxy.url, ...credentials }));
    return new AvroCodec(createSchemaRegistry(config), config.SCHEMA_REGISTRY_TIMEOUT_MS);
  };

  it('when the codec has the credentials, then it registers, encodes and decodes through the proxy', async () => {
    const codec = codecWith({ SCHEMA_REGISTRY_USERNAME: user, SCHEMA_REGISTRY_PASSWORD: password });
    const id = await codec.register(topic, record);
    const value = { eventId: randomUUID(), orderId: null, occurredAt: Date.now(), correlationId: randomUUID(), causationId: null, producer: 'security-test', orderVersion: 0, sku: 'SKU-SEC-1', location: 'main', onHand: 7 };
    const bytes = await codec.encode(topic, record, value);
    expect(bytes.readInt32BE(1)).toBe(id);
    // a second codec decodes by schema id, fetching the schema through the proxy
    const decoded = await codecWith({ SCHEMA_REGISTRY_USERNAME: user, SCHEMA_REGISTRY_PASSWORD: password }).decode(bytes);
    expect(decoded).toMatchObject({ schemaId: id, recordName: record, value: { sku: 'SKU-SEC-1', onHand: 7 } });
  });

  it.each([
    ['no credentials', {}],
    ['a wrong password', { SCHEMA_REGISTRY_USERNAME: user, SCHEMA_REGISTRY_PASSWORD: 'not-the-password' }],
  ])('when the codec has %s, then registering and looking up fail with a clear, retriable 401 (never "unknown schema")', async (_what, credentials) => {
    const refusedBefore = proxy.refused;
    const codec = codecWith(credentials as Record<string, string>);
    const registering = await codec.register(topic, record).catch((e: unknown) => e);
    expect(registering).toBeInstanceOf(OmsError);
    expect(registering).toMatchObject({ retriable: true, message: expect.stringMatching(/refused to register .*HTTP 401 Unauthorized; check SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD/) });
    const lookup = await codec.schemaId(topic, record).catch((e: unknown) => e);
    expect(lookup).toMatchObject({ code: 'registry_unavailable', retriable: true, message: expect.stringMatching(/HTTP 401 Unauthorized/) });
    const decoding = await codec.decode(Buffer.from([0, 0, 0, 0, 1, 2])).catch((e: unknown) => e);
    expect(decoding).toMatchObject({ code: 'registry_unavailable', retriable: true, message: expect.stringMatching(/HTTP 401/) });
    expect(proxy.refused).toBeGreaterThanOrEqual(refusedBefore + 3);
  });
});
