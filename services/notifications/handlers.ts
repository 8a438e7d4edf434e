import { randomUUID } from 'crypto';
import type { Customer, NotificationKind } from '../../shared/contracts/types.generated';
import { recordCompensation } from '../../shared/order-store';
import type { Handler, HandlerContext } from '../../shared/runner/handler';
import { compose } from './messages';

/**
 * One notification per order and kind (a unique row), on the channel the customer chose;
 * customers who chose NONE get nothing.
 */
async function notify(ctx: HandlerContext, orderId: string, kind: NotificationKind, facts: { carrier?: string; trackingNumber?: string; reason?: string }, customer?: Customer) {
  const order = await ctx.trx('orders').where({ order_id: orderId }).first('customer', 'channel_order_ref');
  const c = customer ?? (order?.customer as Customer | undefined);
  if (!c || c.contactPreference === 'NONE') return false;
  const channel = c.contactPreference === 'SMS' && c.phone ? 'SMS' : 'EMAIL';
  const recipient = channel === 'SMS' ? c.phone! : c.email;
  const notificationId = randomUUID();
  const inserted = await ctx.trx('notifications').insert({ notification_id: notificationId, order_id: orderId, kind, channel, recipient }).onConflict(['order_id', 'kind']).ignore().returning('notification_id');
  if (inserted.length === 0) return false;
  const { subject, body } = compose(kind, c, { orderRef: order?.channel_order_ref ?? orderId, ...facts });
  await ctx.emit('io.oms.notifications.CustomerNotification', {
    orderId, notificationId, kind, channel, recipient, subject, body, carrier: facts.carrier ?? null, trackingNumber: facts.trackingNumber ?? null,
  });
  return true;
}

export const onOrderPlaced: Handler<'io.oms.orders.OrderPlaced'> = async (ctx, e) => {
  await notify(ctx, e.orderId, 'PLACED', {}, e.customer);
};
export const onOrderRejected: Handler<'io.oms.orders.OrderRejected'> = async (ctx, e) => {
  await notify(ctx, e.orderId, 'REJECTED', { reason: e.reasons.map((r) => r.message).join('; ') }, e.customer);
};
export const onFulfillmentRequested: Handler<'io.oms.fulfillment.FulfillmentRequested'> = async (ctx, e) => {
  await notify(ctx, e.orderId, 'CONFIRMED', {});
};
export const onOrderShipped: Handler<'io.oms.fulfillment.OrderShipped'> = async (ctx, e) => {
  await notify(ctx, e.orderId, 'SHIPPED', { carrier: e.carrier, trackingNumber: e.trackingNumber });
};
export const onOrderDelivered: Handler<'io.oms.fulfillment.OrderDelivered'> = async (ctx, e) => {
  await notify(ctx, e.orderId, 'DELIVERED', {});
};
export const onOrderCancelled: Handler<'io.oms.orders.OrderCancelled'> = async (ctx, e) => {
  const sent = await notify(ctx, e.orderId, 'CANCELLED', { reason: e.reason.replace(/_/g, ' ') });
  await recordCompensation(ctx.trx, e.orderId, 'customer', sent ? 'notified' : 'not_notified');
};
