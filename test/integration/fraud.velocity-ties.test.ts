import { checkOrder } from '../../services/fraud/check-order.handler';
import type { SubmitOrder } from '../../shared/contracts/types.generated';
import { TestChunk } from '../support/chunk';
import { intakeOnlyStack } from '../support/saga';

/** The velocity window counts the orders placed strictly before an order, and the order itself. */
describe('fraud velocity: orders placed in the same millisecond', () => {
  const { stack, saga } = intakeOnlyStack();

  it('when the fourth and fifth orders on one card carry the same time, then each counts four (the three before and itself), whichever is handled first', async () => {
    const token = `tok_approve_tie_${Date.now()}`;
    const orders: SubmitOrder[] = [];
    for (let i = 0; i < 5; i++) orders.push(await saga.placed({ payment: { method: 'card', token, billingCountry: 'US' } }));
    const t0 = Date.now() - 10 * 60_000;
    const times = [t0, t0 + 1000, t0 + 2000, t0 + 3000, t0 + 3000];
    const events = await Promise.all(orders.map((cmd, i) => saga.orderPlaced(cmd, times[i])));
    const handledOrder = [events[0]!, events[1]!, events[2]!, events[4]!, events[3]!]; // the fifth before the fourth

    await stack.db.transaction(async (trx) => {
      const chunk = new TestChunk(trx, handledOrder.map((e) => e.orderId));
      for (const e of handledOrder) await checkOrder(stack.deps.fraudRules)(chunk.context({ eventId: e.eventId, orderId: e.orderId, type: 'OrderPlaced' }), e);
      await chunk.end();
    });

    const checks = await stack.db('fraud_checks').whereIn('order_id', orders.map((o) => o.orderId)).select('order_id', 'decision', 'reasons');
    const reasonsOf = (i: number) => checks.find((c) => c.order_id === orders[i]!.orderId)?.reasons;
    expect([0, 1, 2].map(reasonsOf)).toEqual([[], [], []]);
    expect(reasonsOf(3)).toEqual(['velocity_payment_token:4_in_60m']);
    expect(reasonsOf(4)).toEqual(['velocity_payment_token:4_in_60m']);
  });
});
