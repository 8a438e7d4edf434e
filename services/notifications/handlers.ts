import { ChunkOrderReads } from '../../shared/chunk-order-reads';
import { customerCancelText } from '../../shared/customer-cancel-text';
import { recordCompensation } from '../../shared/order-store';
import { isValidSku } from '../../shared/sku';
import type { Handler } from '../../shared/runner/handler';
import { customerLineRefusalText } from './messages';
import { NotificationBatch } from './notification-batch';

/**
 * One notification per order and kind (a unique row), on the channel the customer chose;
 * customers who chose NONE get nothing. Each handler queues its notification; the chunk's batch
 * writes and announces them together.
 */
export const onOrderPlaced: Handler<'io.oms.orders.OrderPlaced'> = async (ctx, e) => {
  NotificationBatch.queue(ctx, { orderId: e.orderId, kind: 'PLACED', facts: {}, customer: e.customer, orderRef: e.channelOrderRef });
};
export const onOrderRejected: Handler<'io.oms.orders.OrderRejected'> = async (ctx, e) => {
  NotificationBatch.queue(ctx, { orderId: e.orderId, kind: 'REJECTED', facts: { reason: e.reasons.map((r) => r.message).join('; ') }, customer: e.customer, orderRef: e.channelOrderRef });
};
export const onFulfillmentRequested: Handler<'io.oms.fulfillment.FulfillmentRequested'> = async (ctx, e) => {
  NotificationBatch.queue(ctx, { orderId: e.orderId, kind: 'CONFIRMED', facts: {} });
};
export const onOrderShipped: Handler<'io.oms.fulfillment.OrderShipped'> = async (ctx, e) => {
  NotificationBatch.queue(ctx, { orderId: e.orderId, kind: 'SHIPPED', facts: { carrier: e.carrier, trackingNumber: e.trackingNumber } });
};
export const onOrderDelivered: Handler<'io.oms.fulfillment.OrderDelivered'> = async (ctx, e) => {
  NotificationBatch.queue(ctx, { orderId: e.orderId, kind: 'DELIVERED', facts: {} });
};
export const onOrderCancelled: Handler<'io.oms.orders.OrderCancelled'> = async (ctx, e) => {
  await ChunkOrderReads.of(ctx).holdLocks(e.orderId); // the compensation below writes the order row: the chunk's orders are locked in key order first, as every step takes them
  NotificationBatch.queue(ctx, {
    orderId: e.orderId, kind: 'CANCELLED', facts: { reason: customerCancelText(e.reason) },
    then: (sent) => recordCompensation(ctx.trx, e.orderId, 'customer', sent ? 'notified' : 'not_notified'),
  });
};
/**
 * An added line refused (after it was announced, or as it arrived): the customer is told the order
 * goes on without it, once per line, for at most `limitPerOrder` lines of one order (0 = no limit;
 * past it the notification is recorded as withheld, so a channel adding many refused lines does
 * not flood the customer).
 */
export const onLineItemRefused = (limitPerOrder: number): Handler<'io.oms.orders.LineItemRefused'> => async (ctx, e) => {
  // a line refused at the door was never validated: its SKU reaches the customer only if it is one
  NotificationBatch.queue(ctx, { orderId: e.orderId, kind: 'LINE_REFUSED', about: e.lineId, limitPerOrder, facts: { item: isValidSku(e.sku) ? e.sku : 'an item', reason: customerLineRefusalText(e.reasonCode) } });
};
