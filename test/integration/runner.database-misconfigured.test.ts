import { serviceRole } from '../../shared/db/migrations/004_service_roles';
import { dlqName } from '../../shared/topics';
import { stackOnScratchDatabase } from '../support/database';
import { aSubmitOrder } from '../support/orders';
import { eventually, TestStack } from '../support/stack';

/**
 * A database that does not match the code (a deploy ahead of its migration, a grant forgotten) is
 * not any message's fault: the partition waits and retries, and nothing is dead-lettered. Runs on
 * a database of its own, since it renames a table and revokes a grant under a running service.
 */
describe('shared runner: a table or privilege missing at run time', () => {
  let scratch: Awaited<ReturnType<typeof stackOnScratchDatabase>>;
  let stack: TestStack;

  const rollbacks = async () => Number((await stack.db.raw('SELECT xact_rollback FROM pg_stat_database WHERE datname = current_database()')).rows[0].xact_rollback);

  /** Sends an order while `breakIt` is in force and shows it was tried and refused more often than an unclassified error may be, then mends. */
  const orderThrough = async (breakIt: string, mend: string) => {
    const cmd = aSubmitOrder();
    await stack.db.raw(breakIt);
    const before = await rollbacks();
    try {
      await stack.publish('io.oms.commands.SubmitOrder', cmd);
      // more failed attempts than RUNNER_MAX_UNCLASSIFIED_ATTEMPTS: as an unclassified error it would be in the DLQ by now
      const deadLettered = () => stack.messages((m) => m.key === cmd.orderId);
      await eventually('attempts refused, or a dead letter', async () => (await rollbacks()) - before >= 4 || deadLettered().length > 0, 30_000);
      expect(deadLettered()).toHaveLength(0);
      expect(await stack.db('orders').where({ order_id: cmd.orderId })).toHaveLength(0);
    } finally {
      await stack.db.raw(mend);
    }
    const order = await eventually('order stored once mended', () => stack.db('orders').where({ order_id: cmd.orderId }).first(), 30_000);
    expect(order.state).toBe('Pending');
    expect(stack.messages((m) => m.key === cmd.orderId)).toHaveLength(0);
  };

  beforeAll(async () => {
    scratch = await stackOnScratchDatabase('oms_misconfigured', { RUNNER_RETRY_INITIAL_MS: '50', RUNNER_RETRY_MAX_MS: '200', RUNNER_MAX_UNCLASSIFIED_ATTEMPTS: '2' });
    stack = scratch.stack;
    await stack.provision();
    await stack.watch([dlqName(stack.topic('orderCommands'))]);
    await stack.startService(stack.service('intake'));
  }, 60_000);
  afterAll(() => scratch?.close());

  it('when a table intake writes is missing (renamed away), then the order waits, undead-lettered, and is placed once the table is back', async () => {
    await orderThrough(
      'ALTER TABLE order_price_components RENAME TO order_price_components_away',
      'ALTER TABLE order_price_components_away RENAME TO order_price_components',
    );
  }, 90_000);

  it('when intake\'s role lacks a grant it needs, then the order waits, undead-lettered, and is placed once it is granted again', async () => {
    const role = serviceRole('intake');
    await orderThrough(`REVOKE INSERT ON order_lines FROM ${role}`, `GRANT INSERT ON order_lines TO ${role}`);
  }, 90_000);
});
