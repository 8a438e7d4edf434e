import { randomUUID } from 'crypto';
import { newEnvelope } from '../../shared/contracts/envelope';
import type { InventoryReserved, OrderShipped } from '../../shared/contracts/types.generated';
import { transitionOrder } from '../../shared/order-state';
import { authorizeReserved, captureShipped } from '../../services/payment/handlers';
import { TestChunk } from '../support/chunk';
import { intakeOnlyStack } from '../support/saga';

/** The payment service's chunk: records written together, yet each step sees the payments recorded before it in the chunk. */
describe('PaymentLedger (a chunk of payment steps against Postgres)', () => {
  const { stack, saga } = intakeOnlyStack();
  const authorize = () => authorizeReserved(stack.deps.paymentGateway, stack.deps.pricingRules);
  const capture = () => captureShipped(stack.deps.paymentGateway, stack.deps.pricingRules);

  /** An order in Processing whose placed lines are held. */
  const reservedOrder = async () => {
    const cmd = await saga.placed();
    await stack.db.transaction((trx) => transitionOrder(trx, cmd.orderId, 'Processing', { eventId: randomUUID(), type: 'FraudCheckPassed' }));
    await stack.db('reservations').insert({ reservation_id: randomUUID(), order_id: cmd.orderId, line_id: null, status: 'held' });
    return cmd.orderId;
  };
  const reserved = (orderId: string): InventoryReserved => ({ ...newEnvelope('inventory', orderId), orderId, reservationId: randomUUID(), lines: [], forLineId: null });
  const shipped = (orderId: string): OrderShipped => ({ ...newEnvelope('fulfillment', orderId), orderId, shipmentId: `S-${orderId}`, carrier: 'UPS', trackingNumber: '1Z' });

  it('when one order is reserved twice in a chunk, then the second step counts the first authorization and authorizes nothing more', async () => {
    const [twice, other] = [await reservedOrder(), await reservedOrder()];
    const { total_minor: total } = await saga.order(twice);
    const events = [reserved(twice), reserved(other), reserved(twice)];
    const chunk = await stack.db.transaction(async (trx) => {
      const c = new TestChunk(trx, events.map((e) => e.orderId));
      for (const e of events) await authorize()(c.context({ eventId: e.eventId, orderId: e.orderId, type: 'InventoryReserved' }), e);
      await c.end();
      return c;
    });

    expect((await saga.payments(twice)).map((p) => [p.operation, p.amount_minor])).toEqual([['authorize', total]]);
    expect(chunk.emitted.map((e) => [e.record, e.orderId])).toEqual([['io.oms.payments.PaymentAuthorized', twice], ['io.oms.payments.PaymentAuthorized', other]]);
  });

  it('records a chunk of authorizations in one insert, and a later chunk captures each once from one read of their payments', async () => {
    const orders = [await reservedOrder(), await reservedOrder(), await reservedOrder()];
    const run = async (type: string, events: (InventoryReserved | OrderShipped)[], handler: (ctx: never, e: never) => Promise<void>) =>
      stack.db.transaction(async (trx) => {
        const c = new TestChunk(trx, events.map((e) => e.orderId));
        for (const e of events) await handler(c.context({ eventId: e.eventId, orderId: e.orderId, type }) as never, e as never);
        await c.end();
        return c.statements.filter((s) => /payments/.test(s));
      });

    const authorizing = await run('InventoryReserved', orders.map(reserved), authorize() as never);
    expect(authorizing.filter((s) => /^INSERT INTO payments /i.test(s))).toHaveLength(1);
    await stack.db.transaction(async (trx) => {
      for (const id of orders) await transitionOrder(trx, id, 'Awaiting_Shipment', { eventId: randomUUID(), type: 'PaymentAuthorized' }); // one query at a time on a transaction's connection
    });
    const capturing = await run('OrderShipped', orders.map(shipped), capture() as never);
    expect(capturing.filter((s) => /^INSERT INTO payments /i.test(s))).toHaveLength(1);
    expect(capturing.filter((s) => /^SELECT payment_id/.test(s))).toHaveLength(1); // one read of the payments for the whole chunk
    for (const id of orders) {
      const { total_minor: total } = await saga.order(id);
      expect((await saga.payments(id)).map((p) => [p.operation, p.amount_minor, p.status])).toEqual([['authorize', total, 'approved'], ['capture', total, 'approved']]);
    }
  });
});
