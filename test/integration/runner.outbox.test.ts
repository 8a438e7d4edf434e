import { randomUUID } from 'crypto';
import type { Producer } from 'kafkajs';
import { transactAs } from '../../shared/db/knex';
import { createIdempotentProducer } from '../../shared/kafka/client';
import { ClusterTopics } from '../../shared/kafka/cluster-topics';
import type { Logger } from '../../shared/logger';
import { KafkaOutboxPublisher, type OutboxMessage, writeOutbox } from '../../shared/runner/outbox';
import { eventually, TestStack } from '../support/stack';

/** The outbox publisher on the real broker and Postgres: what the runner sends after commit, and what the relay leaves alone. */
describe('outbox publisher and relay', () => {
  const stack = new TestStack();
  let producer: Producer;
  let publisher: KafkaOutboxPublisher;

  beforeAll(async () => {
    await stack.provision();
    await stack.watch([stack.topic('orders')]);
    producer = createIdempotentProducer(stack.platform.kafka);
    await producer.connect();
    publisher = new KafkaOutboxPublisher(stack.db, transactAs(stack.db, null), producer, { topicPrefix: stack.prefix });
  });
  afterAll(async () => {
    await producer.disconnect();
    await stack.close();
  });

  /** An outbox row as a runner's transaction writes it; the key is unique to the test. */
  async function committed(n: number): Promise<{ key: string; ids: string[]; messages: OutboxMessage[] }> {
    const key = randomUUID();
    // values of different lengths: the relay cuts a chunk's values by offset
    const messages = Array.from({ length: n }, (_, i) => ({
      topic: stack.topic('orders'), message_key: key, message_value: Buffer.from(`payload-${i}${'.'.repeat(i * 3)}`), event_id: randomUUID(), record_name: 'io.oms.orders.OrderPlaced',
    }));
    return { key, ids: await writeOutbox(stack.db, messages), messages };
  }
  /** An outbox row of one event to a topic other than this file's own. */
  const oneEventTo = (topic: string) =>
    writeOutbox(stack.db, [{ topic, message_key: randomUUID(), message_value: Buffer.from('elsewhere'), event_id: randomUUID(), record_name: 'io.oms.orders.OrderPlaced' }]);
  const rowsOf = (ids: string[]) => stack.db('outbox_chunks').whereIn('id', ids);
  const sentWithKey = (key: string) => stack.messages((m) => m.key === key).map((m) => m.raw?.toString());

  it('when the runner publishes what it committed, then the events are sent in order and their rows deleted', async () => {
    const { key, ids, messages } = await committed(3);
    expect(await publisher.publish({ ids, messages })).toBe(3);
    expect(await rowsOf(ids)).toEqual([]);
    await eventually('sent', async () => sentWithKey(key).length === 3);
    expect(sentWithKey(key)).toEqual(['payload-0', 'payload-1...', 'payload-2......']);
  });

  it('when a row is younger than the grace period, then the relay leaves it to its publisher; once older, the relay sends and deletes it', async () => {
    const { key, ids } = await committed(3);
    // a grace that only rows written before 1971 outlive, so other tests' leftovers are never taken
    const grace = Date.now() - Date.parse('1971-01-01T00:00:00Z');
    expect(await publisher.sweep(500, grace)).toBe(0);
    expect(await rowsOf(ids)).toHaveLength(1);

    await stack.db('outbox_chunks').whereIn('id', ids).update({ created_at: new Date('1970-06-01T00:00:00Z') });
    expect(await publisher.sweep(500, grace)).toBe(3);
    expect(await rowsOf(ids)).toEqual([]);
    await eventually('sent by the relay', async () => sentWithKey(key).length === 3);
    expect(sentWithKey(key)).toEqual(['payload-0', 'payload-1...', 'payload-2......']);
  });

  it("when another fleet's rows (another topic prefix) wait in the outbox, then the relay sends only its own and leaves those", async () => {
    const { key, ids } = await committed(2);
    // another fleet's row, to a topic that does not exist here: sending it would fail every sweep
    const foreign = await oneEventTo(`other${randomUUID().slice(0, 8)}.oms.orders`);
    await stack.db('outbox_chunks').whereIn('id', [...foreign, ...ids]).update({ created_at: new Date('1970-06-01T00:00:00Z') });

    await eventually('own rows swept', async () => (await publisher.sweep(20, 0), (await rowsOf(ids)).length === 0));
    await eventually('own rows on the topic', async () => sentWithKey(key).length === 2);
    expect(await rowsOf(foreign)).toHaveLength(1);
    await stack.db('outbox_chunks').whereIn('id', foreign).delete();
  });

  it("when the fleet's topic prefix is empty (production's default), then its relay still leaves a prefixed fleet's rows alone", async () => {
    const { ids } = await committed(1); // this stack's row: to `<prefix>oms.orders`, a topic that exists
    await stack.db('outbox_chunks').whereIn('id', ids).update({ created_at: new Date('1970-06-01T00:00:00Z') });
    const unprefixed = new KafkaOutboxPublisher(stack.db, transactAs(stack.db, null), producer, { topicPrefix: '' });
    await unprefixed.sweep(500, 0);
    expect(await rowsOf(ids)).toHaveLength(1);
    await publisher.sweep(500, 0); // its own fleet's relay sends it
    expect(await rowsOf(ids)).toEqual([]);
  });

  it('when a row\'s topic does not exist, then the relay sets that row aside and sends the rows behind it; the row stays for an operator', async () => {
    const gone = await oneEventTo(`${stack.prefix}oms.deleted-topic`);
    const { key, ids } = await committed(2);
    const logged: unknown[] = [];
    const log = { error: (o: unknown) => logged.push(o) } as unknown as Logger;
    const relay = new KafkaOutboxPublisher(stack.db, transactAs(stack.db, null), producer, { topicPrefix: stack.prefix, log });
    try {
      expect(await relay.sweep(20, 0)).toBe(2);
      expect(await rowsOf(ids)).toEqual([]);
      expect(await rowsOf(gone)).toHaveLength(1);
      expect(logged).toEqual([expect.objectContaining({ outboxRow: gone[0], reason: 'UNKNOWN_TOPIC_OR_PARTITION', topics: [`${stack.prefix}oms.deleted-topic`] })]);
      await eventually('sent past the row set aside', async () => sentWithKey(key).length === 2);
      // set aside: the next sweep does not try it again
      expect(await relay.sweep(20, 0)).toBe(0);
      expect(logged).toHaveLength(1);
    } finally {
      await stack.db('outbox_chunks').whereIn('id', gone).delete();
    }
  }, 60_000);

  it('when the relay knows the cluster\'s topics (as the runner\'s does), then a row to a missing topic is set aside before any send, and the rows behind it go', async () => {
    const gone = await oneEventTo(`${stack.prefix}oms.deleted-topic`);
    const { key, ids } = await committed(2);
    const logged: Record<string, unknown>[] = [];
    const log = { error: (o: Record<string, unknown>) => logged.push(o) } as unknown as Logger;
    const sentTopics: string[] = [];
    const recording = { sendBatch: (batch: Parameters<Producer['sendBatch']>[0]) => (sentTopics.push(...(batch.topicMessages ?? []).map((t) => t.topic)), producer.sendBatch(batch)) };
    const topics = new ClusterTopics(stack.platform.kafka);
    const relay = new KafkaOutboxPublisher(stack.db, transactAs(stack.db, null), recording as unknown as Producer, { topicPrefix: stack.prefix, log, existingTopics: () => topics.list() });
    try {
      expect(await relay.sweep(20, 0)).toBe(2);
      expect(await rowsOf(ids)).toEqual([]);
      expect(await rowsOf(gone)).toHaveLength(1);
      expect(sentTopics).not.toContain(`${stack.prefix}oms.deleted-topic`);
      expect(logged).toEqual([expect.objectContaining({ outboxRow: gone[0], reason: 'UNKNOWN_TOPIC_OR_PARTITION', missingTopics: [`${stack.prefix}oms.deleted-topic`] })]);
      await eventually('sent past the row set aside', async () => sentWithKey(key).length === 2);
      expect(await relay.sweep(20, 0)).toBe(0);
      expect(logged).toHaveLength(1);
    } finally {
      await topics.close();
      await stack.db('outbox_chunks').whereIn('id', gone).delete();
    }
  });

  it('when the send fails, then the rows stay for the relay', async () => {
    const { ids, messages } = await committed(1);
    const neverConnected = stack.platform.kafka.producer();
    const failing = new KafkaOutboxPublisher(stack.db, transactAs(stack.db, null), neverConnected, { topicPrefix: stack.prefix });
    await expect(failing.publish({ ids, messages })).rejects.toThrow();
    expect(await rowsOf(ids)).toHaveLength(1);
    await stack.db('outbox_chunks').whereIn('id', ids).delete();
  });

  it('when the broker never acknowledges a send, then it fails after OUTBOX_SEND_TIMEOUT_MS: the runner\'s rows stay, a sweep rolls back and unlocks them, and the next sweep sends them', async () => {
    const { key, ids, messages } = await committed(3);
    const sends: number[] = [];
    const neverAcknowledges = { sendBatch: () => (sends.push(Date.now()), new Promise(() => undefined)) } as unknown as Producer;
    const hanging = new KafkaOutboxPublisher(stack.db, transactAs(stack.db, null), neverAcknowledges, { sendTimeoutMs: 300, topicPrefix: stack.prefix });

    const began = Date.now();
    await expect(hanging.publish({ ids, messages })).rejects.toThrow(/did not acknowledge 3 outbox event\(s\) within 300 ms/);
    expect(Date.now() - began).toBeGreaterThanOrEqual(290);
    expect(await rowsOf(ids)).toHaveLength(1);

    await expect(hanging.sweep(20, 0)).rejects.toThrow(/within 300 ms/);
    expect(sends).toHaveLength(2);
    // the sweep's transaction rolled back: its rows are neither deleted nor still locked
    const locked = await stack.db.transaction((trx) => trx('outbox_chunks').whereIn('id', ids).forUpdate().noWait().select('id'));
    expect(locked).toHaveLength(1);

    await eventually('sent by a sweep that gets its acknowledgement', async () => (await publisher.sweep(20, 0), (await rowsOf(ids)).length === 0));
    await eventually('on the topic', async () => sentWithKey(key).length === 3);
  });
});
