import type { CancelReason } from '../../shared/contracts/types.generated';
import type { OrderState } from '../../shared/order-state';
import type { HandlerContext } from '../../shared/runner/handler';

/**
 * Reasons that hold only in some states. An expired hold is asked for while the order waits for
 * its payment (Processing); the CancelOrder may be handled after the payment came and the order
 * went to the warehouse, and a paid order keeps its hold (DESIGN), so then it is refused.
 */
const ONLY_FROM: Partial<Record<CancelReason, readonly OrderState[]>> = { reservation_expired: ['Processing'] };

/**
 * Cancels an order if its state allows (the OrderState table decides) and announces
 * OrderCancelled, which drives every compensation: release, void/refund, warehouse, customer.
 */
export async function cancelOrder(ctx: HandlerContext, orderId: string, reason: CancelReason, detail: string | null): Promise<void> {
  const result = await ctx.transition(orderId, 'Cancelled', { cancelReason: reason, reason: detail ?? undefined, onlyFrom: ONLY_FROM[reason] });
  if (!result.applied) {
    ctx.log.info({ reason: result.reason }, 'cancellation refused');
    return;
  }
  await ctx.trx('orders').where({ order_id: orderId }).update({
    compensation: JSON.stringify({ inventory: 'pending', payment: 'pending', warehouse: result.from === 'Awaiting_Shipment' ? 'pending' : 'not_requested', customer: 'pending' }),
  });
  await ctx.emit('io.oms.orders.OrderCancelled', { orderId, reason, detail, previousState: result.from, orderVersion: result.version });
  ctx.log.info({ reason, from: result.from }, 'order cancelled');
}
