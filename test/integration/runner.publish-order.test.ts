import type { CommittedEvents, OutboxPublisher } from '../../shared/runner/outbox';
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

  beforeAll(() => stack.provision());
  afterAll(() => stack.close());

  it('when a send is slow, then the next chunk commits meanwhile, and its events are sent only after the slow ones', async () => {
    const { publisher, log } = slowFirstPublisher();
    await stack.startService(stack.service('intake'), publisher);
    const first = aSubmitOrder();
    const second = aSubmitOrder();

    await stack.publish('io.oms.commands.SubmitOrder', first);
    await eventually('first send started', async () => log.includes(`start ${first.orderId}`));
    await stack.publish('io.oms.commands.SubmitOrder', second);
    await eventually('second order committed', () => stack.db('orders').where({ order_id: second.orderId }).first());
    expect(log).not.toContain(`end ${first.orderId}`); // committed while the first send was still in flight

    await eventually('second send ended', async () => log.includes(`end ${second.orderId}`));
    expect(log).toEqual([`start ${first.orderId}`, `end ${first.orderId}`, `start ${second.orderId}`, `end ${second.orderId}`]);
  });
});
