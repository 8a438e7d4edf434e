import { randomUUID } from 'crypto';
import { onPaymentDeclined } from '../../services/intake/saga-outcomes.handler';
import { newEnvelope } from '../../shared/contracts/envelope';
import type { PaymentDeclined } from '../../shared/contracts/types.generated';
import { transactAs } from '../../shared/db/knex';
import { TestChunk } from '../support/chunk';
import { intakeOnlyStack } from '../support/saga';

/** A declined raise that reaches intake after the order was cancelled leaves the cancelled order as it was. */
describe('intake: a declined raise after the order ended', () => {
  const { stack, saga } = intakeOnlyStack();

  it('when the order is already Cancelled, then its line, total and version stay, and no LineItemRefused goes out', async () => {
    const cmd = await saga.placed();
    const lineId = `A-${randomUUID()}`;
    await stack.db('order_lines').insert({
      order_id: cmd.orderId, line_id: lineId, sku: 'X-1', name: 'Added', quantity: 1, unit_price_minor: 500, discount_minor: 0, line_total_minor: 500,
      weight_grams: 10, status: 'active', origin: 'added',
    });
    await saga.cancel(cmd.orderId);
    const cancelled = await saga.waitForState(cmd.orderId, 'Cancelled');

    const declined: PaymentDeclined = {
      ...newEnvelope('payment', cmd.orderId), orderId: cmd.orderId, orderVersion: cancelled.version, paymentId: randomUUID(), amountMinor: 541, currency: 'USD',
      method: 'card', gateway: 'simulated', externalTransactionId: null, reasonCode: 'card_declined', message: 'no', forLineId: lineId,
    };
    let chunk!: TestChunk;
    await transactAs(stack.db, null)(async (trx) => {
      chunk = new TestChunk(trx, [cmd.orderId]);
      await onPaymentDeclined(stack.deps.pricingRules)(chunk.context({ eventId: declined.eventId, orderId: cmd.orderId, type: 'PaymentDeclined' }), declined);
      await chunk.end();
    });

    expect(chunk.emitted).toEqual([]);
    const after = await saga.order(cmd.orderId);
    expect({ version: after.version, total: after.total_minor, state: after.state }).toEqual({ version: cancelled.version, total: cancelled.total_minor, state: 'Cancelled' });
    expect(await stack.db('order_lines').where({ order_id: cmd.orderId, line_id: lineId }).first('status')).toEqual({ status: 'active' });
  });
});
