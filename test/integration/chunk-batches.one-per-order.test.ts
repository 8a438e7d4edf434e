import { randomUUID } from 'crypto';
import { newEnvelope } from '../../shared/contracts/envelope';
import type { PaymentAuthorized } from '../../shared/contracts/types.generated';
import { transitionOrder } from '../../shared/order-state';
import { checkOrder } from '../../services/fraud/check-order.handler';
import { onPaymentAuthorized } from '../../services/fulfillment/handlers';
import { TestChunk } from '../support/chunk';
import { intakeOnlyStack } from '../support/saga';

/**
 * Batches that move orders together take one move per order: a second event of the same order in
 * the chunk would, one message at a time, have found the order already moved.
 */
describe('chunk batches: one move per order per chunk', () => {
  const { stack, saga } = intakeOnlyStack();

  const placed = () => saga.placed();

  it('when OrderPlaced of one order comes twice in a fraud chunk (two event ids), then it is assessed, moved and announced once', async () => {
    const cmd = await placed();
    const events = [await saga.orderPlaced(cmd), await saga.orderPlaced(cmd)];
    const chunk = await stack.db.transaction(async (trx) => {
      const c = new TestChunk(trx, events.map((e) => e.orderId));
      for (const e of events) await checkOrder(stack.deps.fraudRules)(c.context({ eventId: e.eventId, orderId: e.orderId, type: 'OrderPlaced' }), e);
      await c.end();
      return c;
    });

    expect(chunk.emitted.map((e) => e.record)).toEqual(['io.oms.fraud.FraudCheckPassed']);
    expect((await saga.history(cmd.orderId)).map((h) => [h.to_state, h.refused])).toEqual([['Pending', false], ['Processing', false]]);
    expect(await stack.db('fraud_velocity').where({ order_id: cmd.orderId }).count('* as n').first()).toEqual({ n: 3 });
  });

  it('when two authorizations of one ready order come in one fulfillment chunk, then fulfilment is requested once', async () => {
    const { orderId } = await placed();
    const { total_minor: total } = await saga.order(orderId);
    await stack.db.transaction((trx) => transitionOrder(trx, orderId, 'Processing', { eventId: randomUUID(), type: 'FraudCheckPassed' }));
    await stack.db('reservations').insert({ reservation_id: randomUUID(), order_id: orderId, line_id: null, status: 'held' });
    const authorization = (amountMinor: number): PaymentAuthorized => {
      const paymentId = randomUUID();
      return { ...newEnvelope('payment', orderId), orderId, paymentId, amountMinor, currency: 'USD', method: 'card', gateway: 'simulated', externalTransactionId: `tx_${paymentId}`, orderVersion: 2 };
    };
    const events = [authorization(total - 100), authorization(100)];
    for (const e of events) {
      await stack.db('payments').insert({ payment_id: e.paymentId, order_id: orderId, operation: 'authorize', amount_minor: e.amountMinor, currency: 'USD', method: 'card', gateway: 'simulated', status: 'approved', idempotency_key: `authorize:${e.eventId}` });
    }
    const chunk = await stack.db.transaction(async (trx) => {
      const c = new TestChunk(trx, events.map((e) => e.orderId));
      for (const e of events) await onPaymentAuthorized(stack.deps.pricingRules)(c.context({ eventId: e.eventId, orderId, type: 'PaymentAuthorized' }), e);
      await c.end();
      return c;
    });

    expect(chunk.emitted.map((e) => e.record)).toEqual(['io.oms.fulfillment.FulfillmentRequested']);
    expect(await saga.order(orderId)).toMatchObject({ state: 'Awaiting_Shipment' });
    expect(await stack.db('fulfillments').where({ order_id: orderId }).count('* as n').first()).toEqual({ n: 1 });
    expect((await saga.history(orderId)).filter((h) => h.to_state === 'Awaiting_Shipment').map((h) => h.refused)).toEqual([false]);
  });
});
