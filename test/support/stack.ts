import { randomUUID } from 'crypto';
import type { Consumer, Message, Producer } from 'kafkajs';
import { createPlatform, Platform } from '../../shared/bootstrap';
import type { RecordName } from '../../shared/contracts/codec';
import type { RecordTypes } from '../../shared/contracts/types.generated';
import { createIdempotentProducer } from '../../shared/kafka/client';
import { deleteTopicsWithPrefix, ensureTopics, registerSchemas } from '../../shared/provisioning';
import { ConsumerRunner } from '../../shared/runner/consumer-runner';
import type { ServiceDefinition } from '../../shared/runner/handler';
import type { OutboxPublisher } from '../../shared/runner/outbox';
import { TopicKey, topicName, topicOfRecord } from '../../shared/topics';
import { testEnv } from './env';
import { loadServiceDeps, ServiceDeps } from '../../services/deps';
import { SERVICE_FACTORIES } from '../../services/registry';

export interface ReceivedMessage {
  topic: string;
  key: string | null;
  recordName: string | null;
  value: Record<string, unknown> | null;
  raw: Buffer | null;
  headers: Record<string, string>;
}

/**
 * One isolated slice of the real stack per test file: its own topic prefix and consumer groups
 * on the real broker and registry, and the shared test database.
 */
export class TestStack {
  readonly prefix = `t${randomUUID().slice(0, 8)}.`;
  readonly platform: Platform;
  private producer: Producer | undefined;
  private readonly runners: ConsumerRunner[] = [];
  private readonly consumers: Consumer[] = [];
  readonly received: ReceivedMessage[] = [];

  constructor(overrides: Record<string, string> = {}) {
    this.platform = createPlatform('test', testEnv({ KAFKA_TOPIC_PREFIX: this.prefix, KAFKA_GROUP_PREFIX: `g-${this.prefix}`, ...overrides }));
  }

  private serviceDeps: ServiceDeps | undefined;
  get deps(): ServiceDeps {
    this.serviceDeps ??= loadServiceDeps(this.platform.config);
    return this.serviceDeps;
  }

  /** A fleet service by name, built from this stack's configuration. */
  service(name: keyof typeof SERVICE_FACTORIES): ServiceDefinition {
    return SERVICE_FACTORIES[name]!(this.deps);
  }

  get db() {
    return this.platform.db;
  }

  topic(key: TopicKey): string {
    return topicName(key, this.prefix);
  }

  async provision(): Promise<void> {
    const admin = this.platform.kafka.admin();
    await admin.connect();
    await ensureTopics(admin, this.prefix);
    await admin.disconnect();
    await registerSchemas(this.platform.codec, this.prefix);
    this.producer = createIdempotentProducer(this.platform.kafka);
    await this.producer.connect();
  }

  async startService(service: ServiceDefinition, publisher?: OutboxPublisher, onConsumerGaveUp?: (err: Error) => void): Promise<ConsumerRunner> {
    const runner = new ConsumerRunner(service, { ...this.platform, publisher, onConsumerGaveUp });
    await runner.start();
    this.runners.push(runner);
    return runner;
  }

  async stopService(runner: ConsumerRunner): Promise<void> {
    await runner.stop();
    this.runners.splice(this.runners.indexOf(runner), 1);
  }

  /** Publishes a record as a channel or warehouse would: encoded, keyed by orderId (or sku). */
  async publish<N extends RecordName>(recordName: N, value: RecordTypes[N]): Promise<void> {
    const topic = this.topic(topicOfRecord(recordName));
    const bytes = await this.platform.codec.encode(topic, recordName, value);
    const key = (value as { orderId?: string | null }).orderId ?? (value as { sku?: string }).sku ?? null;
    await this.producer!.send({ topic, acks: -1, messages: [{ key, value: bytes }] });
  }

  async publishRaw(key: TopicKey, value: Buffer, messageKey: string = randomUUID()): Promise<void> {
    await this.sendRaw(key, [{ key: messageKey, value }]);
  }

  /** These messages as they are, in one produce request (so that one fetch can carry them all). */
  async sendRaw(key: TopicKey, messages: Message[]): Promise<void> {
    await this.producer!.send({ topic: this.topic(key), acks: -1, messages });
  }

  /** Records every message of these topics (and their DLQs, if physical names are given). */
  async watch(physicalTopics: string[]): Promise<void> {
    // a stop waits for the fetch in flight: kafkajs's 5 s wait would add that to every test file's close
    const consumer = this.platform.kafka.consumer({ groupId: `watch-${randomUUID()}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topics: physicalTopics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        let recordName: string | null = null;
        let value: Record<string, unknown> | null = null;
        try {
          const d = await this.platform.codec.decode(message.value);
          recordName = d.recordName;
          value = d.value;
        } catch {
          // DLQ watchers see undecodable bytes on purpose
        }
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        this.received.push({ topic, key: message.key?.toString() ?? null, recordName, value, raw: message.value, headers });
      },
    });
    this.consumers.push(consumer);
  }

  messages(filter: (m: ReceivedMessage) => boolean): ReceivedMessage[] {
    return this.received.filter(filter);
  }

  async close(): Promise<void> {
    for (const r of this.runners.splice(0)) await r.stop();
    for (const c of this.consumers.splice(0)) await c.disconnect();
    await this.producer?.disconnect();
    if (this.producer) await this.deleteTopics();
    await this.platform.db.destroy();
  }

  /** This file's topics (and DLQs) go with it: a broker left with every run's partitions runs out of file descriptors. */
  private async deleteTopics(): Promise<void> {
    const admin = this.platform.kafka.admin();
    await admin.connect();
    try {
      await deleteTopicsWithPrefix(admin, this.prefix);
    } finally {
      await admin.disconnect();
    }
  }
}

/**
 * Polls a condition until it holds (the saga is asynchronous); fails with `what` on timeout.
 * An empty array counts as not yet.
 */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 30000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 25;
  for (;;) {
    const v = await probe();
    if (v && !(Array.isArray(v) && v.length === 0)) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(250, delay * 2);
  }
}
