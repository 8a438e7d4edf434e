import { randomUUID } from 'crypto';
import { addLineItem } from '../../services/intake/add-line.handler';
import { onPaymentDeclined } from '../../services/intake/saga-outcomes.handler';
import { newEnvelope } from '../../shared/contracts/envelope';
import type { AddLineItem, PaymentDeclined } from '../../shared/contracts/types.generated';
import { transactAs } from '../../shared/db/knex';
import { TestChunk } from '../support/chunk';
import { intakeOnlyStack } from '../support/saga';

/** A declined raise, or a line, that reaches intake after the order was cancelled leaves the cancelled order as it was and tells nothing more. */
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

  /** Runs intake's AddLineItem handler on the command in one chunk; returns what it emitted. */
  async function addInOneChunk(orderId: string, line: AddLineItem['line']) {
    const cmd: AddLineItem = { ...newEnvelope('test', orderId), orderId, line, requestedBy: 'test' };
    let chunk!: TestChunk;
    await transactAs(stack.db, null)(async (trx) => {
      chunk = new TestChunk(trx, [orderId]);
      await addLineItem(stack.deps.pricingRules)(chunk.context({ eventId: cmd.eventId, orderId, type: 'AddLineItem' }), cmd);
      await chunk.end();
    });
    return { emitted: chunk.emitted, lineId: `A-${cmd.eventId}` };
  }

  it('when a line is added to a Cancelled order, then it is stored refused and nothing is announced (its customer was told of the cancellation)', async () => {
    const cmd = await saga.placed();
    await saga.cancel(cmd.orderId);
    await saga.waitForState(cmd.orderId, 'Cancelled');
    const { emitted, lineId } = await addInOneChunk(cmd.orderId, { sku: 'SKU-TEA', name: 'Tea', quantity: 1, unitPriceMinor: 899, weightGrams: 260 });
    expect(emitted).toEqual([]);
    expect(await stack.db('order_lines').where({ order_id: cmd.orderId, line_id: lineId }).first('status', 'refused_reason')).toEqual({ status: 'refused', refused_reason: 'lines can be added until fulfillment is requested; the order is Cancelled' });
  });

  it('when an invalid line is added to a live order, then LineItemRefused says invalid_line with the order\'s total and version unchanged', async () => {
    const cmd = await saga.placed();
    const order = await saga.order(cmd.orderId);
    const { emitted, lineId } = await addInOneChunk(cmd.orderId, { sku: 'SKU\u0000TEA', name: 'Tea', quantity: 1, unitPriceMinor: 899, weightGrams: 260 });
    expect(emitted).toEqual([{ record: 'io.oms.orders.LineItemRefused', orderId: cmd.orderId, payload: expect.objectContaining({
      lineId, sku: 'SKU\uFFFDTEA', reasonCode: 'invalid_line', totalMinor: order.total_minor, currency: order.currency, orderVersion: order.version,
    }) }]);
  });
});
