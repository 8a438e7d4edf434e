import type { Producer } from 'kafkajs';
import { transactAs } from '../../shared/db/knex';
import { createIdempotentProducer } from '../../shared/kafka/client';
import { type CommittedEvents, KafkaOutboxPublisher, type OutboxPublisher } from '../../shared/runner/outbox';
import { randomUUID } from 'crypto';
import { aSubmitOrder } from '../support/orders';
import { eventually, TestStack } from '../support/stack';

/** Records each send; the first one is slow, as a broker's ack sometimes is. */
function slowFirstPublisher() {
  const log: string[] = [];
  let calls = 0;
  const publisher: OutboxPublisher = {
    publish: async ({ messages }: CommittedEvents) => {
      const keys = [...new Set(messages.map((m) => m.message_key))].join(',');
      log.push(`start ${keys}`);
      if (calls++ === 0) await new Promise((r) => setTimeout(r, 1500));
      log.push(`end ${keys}`);
      return messages.length;
    },
    sweep: async () => 0,
  };
  return { publisher, log };
}

describe('shared runner: sending committed events', () => {
  const stack = new TestStack();

  let producer: Producer;
  beforeAll(async () => {
    await stack.provision();
    await stack.watch([stack.topic('orders')]);
    producer = createIdempotentProducer(stack.platform.kafka);
    await producer.connect();
  });
  afterAll(async () => {
    await producer.disconnect();
    await stack.close();
  });

  it('when a send is slow, then the next chunk commits meanwhile, and its events are sent only after the slow ones', async () => {
    const { publisher, log } = slowFirstPublisher();
    const intake = await stack.startService(stack.service('intake'), publisher);
    const first = aSubmitOrder();
    const second = aSubmitOrder();

    await stack.publish('io.oms.commands.SubmitOrder', first);
    await eventually('first send started', async () => log.includes(`start ${first.orderId}`));
    await stack.publish('io.oms.commands.SubmitOrder', second);
    await eventually('second order committed', () => stack.db('orders').where({ order_id: second.orderId }).first());
    expect(log).not.toContain(`end ${first.orderId}`); // committed while the first send was still in flight

    await eventually('second send ended', async () => log.includes(`end ${second.orderId}`));
    expect(log).toEqual([`start ${first.orderId}`, `end ${first.orderId}`, `start ${second.orderId}`, `end ${second.orderId}`]);
    await stack.stopService(intake);
  });

  it('when a send fails, then the next chunk\'s events wait for the failed ones: an order\'s OrderCancelled never overtakes its OrderPlaced', async () => {
    const real = new KafkaOutboxPublisher(stack.db, transactAs(stack.db, null), producer, { topicPrefix: stack.prefix });
    let failures = 0;
    const failsOnce: OutboxPublisher = {
      publish: async (c) => {
        if (failures++ === 0) throw new Error('the broker went away for a moment');
        return real.publish(c);
      },
      sweep: (limit, minAgeMs) => real.sweep(limit, minAgeMs),
    };
    const intake = await stack.startService(stack.service('intake'), failsOnce);
    const order = aSubmitOrder();
    await stack.publish('io.oms.commands.SubmitOrder', order);
    await eventually('the placement committed', () => stack.db('orders').where({ order_id: order.orderId }).first());
    await stack.publish('io.oms.commands.CancelOrder', { eventId: randomUUID(), occurredAt: Date.now(), correlationId: randomUUID(), causationId: null, producer: 'test', orderVersion: 0, orderId: order.orderId, reason: 'customer_request', requestedBy: 'test', detail: null });
    const events = await eventually('both events on the topic', async () => {
      const seen = stack.messages((m) => m.key === order.orderId).map((m) => m.recordName);
      return seen.length >= 2 ? seen : null;
    }, 20_000);
    expect(events.slice(0, 2)).toEqual(['io.oms.orders.OrderPlaced', 'io.oms.orders.OrderCancelled']);
    await stack.stopService(intake);
  });

  it('when a committed chunk waits for its send longer than the relay\'s grace period, then the relay leaves it to the runner and its events go out once', async () => {
    const graceMs = 200; // the stack's relay sweeps every 200 ms too
    const slow = new TestStack({ OUTBOX_RELAY_GRACE_MS: String(graceMs) });
    try {
      await slow.provision();
      await slow.watch([slow.topic('orders')]);
      const real = new KafkaOutboxPublisher(slow.db, transactAs(slow.db, null), producer, { topicPrefix: slow.prefix });
      const sends: string[] = [];
      const slowSends: OutboxPublisher = {
        publish: async (c) => {
          sends.push(c.messages.map((m) => m.message_key).join(','));
          await new Promise((r) => setTimeout(r, 10 * graceMs)); // as a send waits behind a backlog of sends
          const sent = await real.publish(c);
          sends.push(`done ${c.messages.map((m) => m.message_key).join(',')}`);
          return sent;
        },
        sweep: async (limit, minAgeMs) => { const n = await real.sweep(limit, minAgeMs); console.log('SWEEP', minAgeMs, n, Date.now()); return n; },
      };
      const intake = await slow.startService(slow.service('intake'), slowSends);
      const order = aSubmitOrder();
      await slow.publish('io.oms.commands.SubmitOrder', order);
      await eventually('the runner sent it', async () => sends.includes(`done ${order.orderId}`));
      await eventually('OrderPlaced on the topic', async () => slow.messages((m) => m.key === order.orderId).length > 0);
      await new Promise((r) => setTimeout(r, 5 * graceMs)); // several sweeps more, and the watcher's next fetches
      expect(slow.messages((m) => m.key === order.orderId).map((m) => m.recordName)).toEqual(['io.oms.orders.OrderPlaced']);
      await slow.stopService(intake);
    } finally {
      await slow.close();
    }
  });

  it('when it is stopped with a chunk in hand (waiting for the send before it), then that chunk ends and its offset is committed before the group is left', async () => {
    const { publisher, log } = slowFirstPublisher();
    const intake = await stack.startService(stack.service('intake'), publisher);
    const [first, second] = [aSubmitOrder(), aSubmitOrder()];
    await stack.publish('io.oms.commands.SubmitOrder', first);
    await eventually('first send started', async () => log.includes(`start ${first.orderId}`));
    await stack.publish('io.oms.commands.SubmitOrder', second);
    await eventually('second order committed', () => stack.db('orders').where({ order_id: second.orderId }).first());
    expect(log).not.toContain(`end ${first.orderId}`); // the second chunk is in hand, waiting for the first send

    await stack.stopService(intake);
    const admin = stack.platform.kafka.admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId: `g-${stack.prefix}-intake`, topics: [stack.topic('orderCommands')] });
      const ends = await admin.fetchTopicOffsets(stack.topic('orderCommands'));
      // every partition that holds messages committed up to its end: nothing of the chunk in hand is redelivered
      const written = ends.filter((e) => e.high !== '0').map((e) => [e.partition, e.high]).sort();
      expect(offsets!.partitions.filter((p) => written.some(([w]) => w === p.partition)).map((p) => [p.partition, p.offset]).sort()).toEqual(written);
    } finally {
      await admin.disconnect();
    }
  });
});
