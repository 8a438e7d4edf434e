import type { Knex } from 'knex';
import { pipelinedTransaction } from '../../shared/db/pipelined-transaction';
import { checkOrder } from '../../services/fraud/check-order.handler';
import type { OrderPlaced, SubmitOrder } from '../../shared/contracts/types.generated';
import { TestChunk } from '../support/chunk';
import { intakeOnlyStack } from '../support/saga';

/** Two fraud transactions checking one card at once (pipelined, as the runner runs them): the second counts the first's order. */
describe('fraud velocity: two transactions on one card at once', () => {
  const { stack, saga } = intakeOnlyStack();

  const assess = async (trx: Knex.Transaction, events: OrderPlaced[]) => {
    const chunk = new TestChunk(trx, events.map((e) => e.orderId));
    for (const e of events) await checkOrder(stack.deps.fraudRules)(chunk.context({ eventId: e.eventId, orderId: e.orderId, type: 'OrderPlaced' }), e);
    await chunk.end();
  };

  const waitingOnVelocityLock = async (): Promise<boolean> => {
    const { rows } = await stack.db.raw(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'`);
    return rows[0].n > 0;
  };

  it('when the fourth order on a card is checked while the third is uncommitted, then it waits and counts four', async () => {
    const token = `tok_approve_concurrent_${Date.now()}`;
    const orders: SubmitOrder[] = [];
    for (let i = 0; i < 4; i++) orders.push(await saga.placed({ payment: { method: 'card', token, billingCountry: 'US' } }));
    const t0 = Date.now() - 10 * 60_000;
    const events = await Promise.all(orders.map((cmd, i) => saga.orderPlaced(cmd, t0 + i * 1000)));
    await stack.db.transaction((trx) => assess(trx, events.slice(0, 2)), pipelinedTransaction(null));

    let releaseFirst!: () => void;
    const firstMayCommit = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstAssessed!: () => void;
    const firstHasAssessed = new Promise<void>((resolve) => (firstAssessed = resolve));
    const first = stack.db.transaction(async (trx) => {
      await assess(trx, [events[2]!]);
      firstAssessed();
      await firstMayCommit;
    }, pipelinedTransaction(null));
    await firstHasAssessed;

    let secondDone = false;
    const second = stack.db.transaction((trx) => assess(trx, [events[3]!]), pipelinedTransaction(null)).finally(() => (secondDone = true));
    let sawWait = false;
    for (let i = 0; i < 100 && !secondDone && !sawWait; i++) {
      sawWait = await waitingOnVelocityLock();
      if (!sawWait) await new Promise((r) => setTimeout(r, 50));
    }
    releaseFirst();
    await Promise.all([first, second]);

    expect(sawWait).toBe(true);
    const checks = await stack.db('fraud_checks').whereIn('order_id', orders.map((o) => o.orderId)).select('order_id', 'reasons');
    const reasonsOf = (i: number) => checks.find((c) => c.order_id === orders[i]!.orderId)?.reasons;
    expect([0, 1, 2].map(reasonsOf)).toEqual([[], [], []]);
    expect(reasonsOf(3)).toEqual(['velocity_payment_token:4_in_60m']);
  });
});
