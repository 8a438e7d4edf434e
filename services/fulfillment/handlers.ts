import type { OrderCancelled, ShipmentDelivered, ShipmentDispatched } from '../../shared/contracts/types.generated';
import { ChunkOrderReads } from '../../shared/chunk-order-reads';
import { priceLines, recordCompensation } from '../../shared/order-store';
import type { PricingRules } from '../../shared/pricing';
import { type Handler, type HandlerContext, onlyWhen } from '../../shared/runner/handler';
import { FulfillmentRequests } from './fulfillment-requests';
import { WarehouseBatch } from './warehouse-batch';

/**
 * Asks the warehouse to ship once everything is settled: the order is Processing, its placed lines
 * are reserved, no added line waits for stock, and the authorizations cover the reserved lines.
 * Called on every event that can complete that picture, in whatever order they arrive; the ready
 * orders of a chunk are requested together.
 */
async function requestFulfillmentWhenReady(ctx: HandlerContext, orderId: string, rules: PricingRules): Promise<void> {
  const read = await ChunkOrderReads.of(ctx).lockWithSettled(orderId);
  if (!read || read.order.state !== 'Processing') return;
  const { order, settled: { wholeReserved, reserved, unresolved, authorizedMinor } } = read;
  if (!wholeReserved || unresolved.length > 0) return;
  if (authorizedMinor < priceLines(order, reserved, rules).breakdown.totalMinor) return;
  if (!FulfillmentRequests.of(ctx).queue({ ctx, order, reserved })) ctx.log.info('fulfillment already requested in this chunk');
}

export const onPaymentAuthorized = (rules: PricingRules): Handler<'io.oms.payments.PaymentAuthorized'> => (ctx, e) => requestFulfillmentWhenReady(ctx, e.orderId, rules);
/** An added line settled (reserved or not): the order may now be ready. The placed lines' reservation waits for the payment instead. */
export const onAddedLineSettled = (rules: PricingRules) =>
  onlyWhen<'io.oms.inventory.InventoryReserved' | 'io.oms.inventory.InventoryUnavailable'>(
    (e) => e.forLineId !== null,
    (ctx, e) => requestFulfillmentWhenReady(ctx, e.orderId, rules),
  );

/** An added line refused (by fraud, stock or payment, or as it arrived): the order may now be ready without it. */
export const onLineItemRefused = (rules: PricingRules): Handler<'io.oms.orders.LineItemRefused'> => (ctx, e) => requestFulfillmentWhenReady(ctx, e.orderId, rules);

/** Warehouse: dispatched → Shipped with carrier and tracking. Unknown or cancelled orders are refused in the history. */
export const onShipmentDispatched: Handler<'io.oms.warehouse.ShipmentDispatched'> = async (ctx, e: ShipmentDispatched) =>
  WarehouseBatch.queue(ctx, { kind: 'dispatched', event: e });

/** Warehouse: delivered → Delivered. */
export const onShipmentDelivered: Handler<'io.oms.warehouse.ShipmentDelivered'> = async (ctx, e: ShipmentDelivered) =>
  WarehouseBatch.queue(ctx, { kind: 'delivered', event: e });

/** Cancelled while the warehouse was asked to ship: tell it to stop. */
export const onOrderCancelled: Handler<'io.oms.orders.OrderCancelled'> = async (ctx, e: OrderCancelled) => {
  await ChunkOrderReads.of(ctx).holdLocks(e.orderId); // the order row before its fulfilment, as the request took them: a cancellation and a request never wait on each other in a cycle
  const requested = await ctx.trx('fulfillments').where({ order_id: e.orderId, status: 'requested' }).forUpdate().first();
  if (!requested) return recordCompensation(ctx.trx, e.orderId, 'warehouse', 'not_requested');
  await ctx.trx('fulfillments').where({ fulfillment_id: requested.fulfillment_id }).update({ status: 'cancelled', updated_at: ctx.trx.fn.now() });
  await ctx.emit('io.oms.fulfillment.FulfillmentCancelled', { fulfillmentId: requested.fulfillment_id, reason: e.reason, orderVersion: e.orderVersion });
  await recordCompensation(ctx.trx, e.orderId, 'warehouse', 'told');
};
