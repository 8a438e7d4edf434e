import { randomUUID } from 'crypto';
import type { Knex } from 'knex';
import { newEnvelope } from '../../shared/contracts/envelope';
import type { ShipmentDelivered, ShipmentDispatched } from '../../shared/contracts/types.generated';
import { transactAs } from '../../shared/db/knex';
import { transitionOrder } from '../../shared/order-state';
import { onShipmentDelivered, onShipmentDispatched } from '../../services/fulfillment/handlers';
import { TestChunk } from '../support/chunk';
import { intakeOnlyStack } from '../support/saga';

/** A chunk of warehouse reports against Postgres, in a pipelined transaction as the runner's: one transition statement per round, rounds for an order reported twice. */
describe('WarehouseBatch (a chunk of warehouse reports applied together)', () => {
  const { stack, saga } = intakeOnlyStack();

  /** An order the warehouse was asked to ship: Awaiting_Shipment with a requested fulfilment. */
  const awaitingShipment = async () => {
    const cmd = await saga.placed();
    await stack.db.transaction(async (trx) => {
      await transitionOrder(trx, cmd.orderId, 'Processing', { eventId: randomUUID(), type: 'FraudCheckPassed' });
      await transitionOrder(trx, cmd.orderId, 'Awaiting_Shipment', { eventId: randomUUID(), type: 'PaymentAuthorized' });
      await trx('fulfillments').insert({ fulfillment_id: randomUUID(), order_id: cmd.orderId, status: 'requested' });
    });
    return cmd.orderId;
  };
  const dispatched = (orderId: string): ShipmentDispatched => ({ ...newEnvelope('warehouse', orderId), orderId, shipmentId: `S-${orderId}`, carrier: 'UPS', trackingNumber: `1Z${orderId.slice(0, 8)}` });
  const delivered = (orderId: string): ShipmentDelivered => ({ ...newEnvelope('warehouse', orderId), orderId, shipmentId: `S-${orderId}` });

  async function runChunk(trx: Knex.Transaction, messages: { type: 'ShipmentDispatched' | 'ShipmentDelivered'; event: ShipmentDispatched | ShipmentDelivered }[]) {
    const chunk = new TestChunk(trx, messages.map((m) => m.event.orderId));
    for (const { type, event } of messages) {
      const ctx = chunk.context({ eventId: event.eventId, orderId: event.orderId, type });
      if (type === 'ShipmentDispatched') await onShipmentDispatched(ctx, event as ShipmentDispatched);
      else await onShipmentDelivered(ctx, event as ShipmentDelivered);
    }
    await chunk.end();
    return { emitted: chunk.emitted.map(({ record, orderId, payload }) => ({ record, orderId, orderVersion: payload.orderVersion })), statements: chunk.statements };
  }

  it('applies a chunk of dispatches with a lock of its orders in key order, one transition statement and one shipment statement, announcing each in message order', async () => {
    const orders = [await awaitingShipment(), await awaitingShipment(), await awaitingShipment()];
    const { emitted, statements } = await transactAs(stack.db, null)((trx) => runChunk(trx, orders.map((id) => ({ type: 'ShipmentDispatched' as const, event: dispatched(id) }))));

    expect(statements).toHaveLength(3);
    expect(statements[0]).toMatch(/^SELECT .* FROM orders WHERE order_id = ANY\(\$1::uuid\[\]\) ORDER BY order_id FOR UPDATE$/); // queued: the transition carries it
    expect(emitted.map((e) => [e.record, e.orderId])).toEqual(orders.map((id) => ['io.oms.fulfillment.OrderShipped', id]));
    for (const id of orders) {
      expect(await saga.order(id)).toMatchObject({ state: 'Shipped' });
      expect(await stack.db('shipments').where({ order_id: id }).first()).toMatchObject({ shipment_id: `S-${id}`, carrier: 'UPS', status: 'dispatched' });
      expect(await stack.db('fulfillments').where({ order_id: id }).first()).toMatchObject({ status: 'shipped' });
    }
  });

  it('applies dispatched then delivered of one order in two rounds, and refuses a delivery of an order never shipped', async () => {
    const [both, neverShipped] = [await awaitingShipment(), await awaitingShipment()];
    // the shipment row written in the first round is queued, and the second round's delivery must still find it
    const { emitted } = await transactAs(stack.db, null)((trx) => runChunk(trx, [
      { type: 'ShipmentDispatched', event: dispatched(both) },
      { type: 'ShipmentDelivered', event: delivered(neverShipped) },
      { type: 'ShipmentDelivered', event: delivered(both) },
    ]));

    const version = (await saga.order(both)).version;
    expect(emitted).toEqual([
      { record: 'io.oms.fulfillment.OrderShipped', orderId: both, orderVersion: version - 1 },
      { record: 'io.oms.fulfillment.OrderDelivered', orderId: both, orderVersion: version },
    ]);
    expect(await saga.order(both)).toMatchObject({ state: 'Delivered' });
    expect(await stack.db('shipments').where({ order_id: both }).first()).toMatchObject({ status: 'delivered', delivered_at: expect.any(Date) });
    expect((await saga.history(both)).slice(-2).map((h) => [h.from_state, h.to_state, h.refused])).toEqual([['Awaiting_Shipment', 'Shipped', false], ['Shipped', 'Delivered', false]]);
    expect(await saga.order(neverShipped)).toMatchObject({ state: 'Awaiting_Shipment' });
    expect((await saga.history(neverShipped)).at(-1)).toMatchObject({ to_state: 'Delivered', refused: true, reason: 'Awaiting_Shipment → Delivered is not allowed for ShipmentDelivered' });
  });
});
