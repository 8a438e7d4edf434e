import { randomUUID } from 'crypto';
import { transactAs } from '../../shared/db/knex';
import { serviceRole } from '../../shared/db/migrations/004_service_roles';
import { InboxPruner } from '../../shared/runner/inbox-pruner';
import { aSubmitOrder } from '../support/orders';
import { eventually, TestStack } from '../support/stack';

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);

/** The inbox keeps an event's row for INBOX_RETENTION_HOURS (168 by default) and no longer. */
describe('inbox retention', () => {
  const stack = new TestStack({ INBOX_PRUNE_INTERVAL_MS: '200' });

  beforeAll(() => stack.provision());
  afterAll(() => stack.close());

  it('when a consumer prunes, then only its own rows past the retention go, batch after batch, under its service role', async () => {
    const consumer = `pruned-${randomUUID()}`;
    const other = `kept-${randomUUID()}`;
    const expired = Array.from({ length: 5003 }, () => ({ consumer, event_id: randomUUID(), processed_at: hoursAgo(200) }));
    const recent = { consumer, event_id: randomUUID(), processed_at: hoursAgo(100) };
    const othersExpired = { consumer: other, event_id: randomUUID(), processed_at: hoursAgo(200) };
    await stack.db.batchInsert('inbox', [...expired, recent, othersExpired], 1000);

    const pruner = new InboxPruner(transactAs(stack.db, serviceRole('intake')), consumer, 168, 60_000, stack.platform.log);
    expect(await pruner.prune()).toBe(5003);
    const left = await stack.db('inbox').whereIn('consumer', [consumer, other]).select('consumer', 'event_id');
    expect(left.sort((a, b) => a.consumer.localeCompare(b.consumer))).toEqual([
      { consumer: other, event_id: othersExpired.event_id },
      { consumer, event_id: recent.event_id },
    ]);
    expect(await pruner.prune()).toBe(0);
  }, 60_000);

  it('when a service runs, then it deletes its expired rows, and an event whose row expired is handled as new when it comes again', async () => {
    const cmd = aSubmitOrder();
    const recent = { consumer: 'intake', event_id: randomUUID(), processed_at: hoursAgo(1) };
    await stack.db('inbox').insert([{ consumer: 'intake', event_id: cmd.eventId, processed_at: hoursAgo(169) }, recent]);

    await stack.startService(stack.service('intake'));
    await eventually('expired row deleted', async () => (await stack.db('inbox').where({ consumer: 'intake', event_id: cmd.eventId })).length === 0);
    expect(await stack.db('inbox').where({ consumer: 'intake', event_id: recent.event_id })).toHaveLength(1);

    await stack.publish('io.oms.commands.SubmitOrder', cmd);
    const order = await eventually('order stored', () => stack.db('orders').where({ order_id: cmd.orderId }).first());
    expect(order.state).toBe('Pending');
  }, 60_000);
});
