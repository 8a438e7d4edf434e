import type { OutboxPublisher } from '../../shared/runner/outbox';
import { aSubmitOrder } from '../support/orders';
import { eventually, TestStack } from '../support/stack';

/** The process dies after the database commit and before the outbox send: nothing is sent. */
const deadBeforeSend: OutboxPublisher = { publish: async () => 0, sweep: async () => 0 };

describe('shared runner: a consumer killed between commit and send', () => {
  const stack = new TestStack();

  beforeAll(async () => {
    await stack.provision();
    await stack.watch([stack.topic('orders')]);
  });
  afterAll(() => stack.close());

  it('when the consumer restarts, then the relay publishes the committed event exactly once', async () => {
    const crashed = await stack.startService(stack.service('intake'), deadBeforeSend);
    const cmd = aSubmitOrder();
    await stack.publish('io.oms.commands.SubmitOrder', cmd);
    await eventually('order committed', () => stack.db('orders').where({ order_id: cmd.orderId }).first());
    const [pending] = await stack.db('outbox').where({ topic: stack.topic('orders') });
    expect(pending).toMatchObject({ message_key: cmd.orderId, record_name: 'io.oms.orders.OrderPlaced' });
    await stack.stopService(crashed);

    await stack.startService(stack.service('intake')); // the relay drains the outbox before consuming
    await eventually('outbox emptied', async () => (await stack.db('outbox').where({ id: pending.id })).length === 0);
    // A marker behind the event on the same partition: once seen, every copy would have been seen.
    await stack.publishRaw('orders', Buffer.from('marker'), cmd.orderId);
    await eventually('marker seen', async () => stack.messages((m) => m.key === cmd.orderId && m.raw?.toString() === 'marker').length === 1);

    const placed = stack.messages((m) => m.key === cmd.orderId && m.recordName === 'io.oms.orders.OrderPlaced');
    expect(placed).toHaveLength(1);
    expect(placed[0]!.headers['oms-event-id']).toBe(pending.event_id);
    expect(await stack.db('orders').where({ order_id: cmd.orderId }).count('* as n').first()).toEqual({ n: 1 });
  });
});
