import type { FraudCheckFailed, FraudReviewRequired, InventoryReserved, InventoryUnavailable, PaymentDeclined } from '../../shared/contracts/types.generated';
import { ChunkOrderReads } from '../../shared/chunk-order-reads';
import { isCalledOff } from '../../shared/order-state';
import { priceLines } from '../../shared/order-store';
import type { PricingRules } from '../../shared/pricing';
import { type Handler, type HandlerContext, onlyWhen } from '../../shared/runner/handler';
import { cancelOrder } from './cancel';
import { storeRepricing } from './order-repository';

const fraudSummary = (e: { score: number; reasons: string[] }) => `fraud score ${e.score}: ${e.reasons.join(', ')}`;

/** Intake owns the order record: failed saga steps become cancellations, line outcomes update lines. An added line that fails fraud is refused alone. */
export const onFraudCheckFailed = (rules: PricingRules): Handler<'io.oms.fraud.FraudCheckFailed'> => async (ctx, e: FraudCheckFailed) => {
  if (e.forLineId === null) return cancelOrder(ctx, e.orderId, 'fraud_rejected', fraudSummary(e));
  await refuseAddedLine(ctx, e.orderId, e.forLineId, 'fraud_rejected', `refused by fraud rules: ${fraudSummary(e)}`, rules);
};

/** An added line that would need a fraud review: refused, since the order is past the gate and does not wait. (An order's own review puts it on hold: fraud's step.) */
export const onFraudReviewRequired = (rules: PricingRules) =>
  onlyWhen<'io.oms.fraud.FraudReviewRequired'>(
    (e) => e.forLineId !== null,
    (ctx, e: FraudReviewRequired) => refuseAddedLine(ctx, e.orderId, e.forLineId!, 'fraud_review', `would need a fraud review: ${fraudSummary(e)}`, rules),
  );

/** The order's authorization declined: cancelled. An added line's raise declined: only the line is refused. */
export const onPaymentDeclined = (rules: PricingRules): Handler<'io.oms.payments.PaymentDeclined'> => async (ctx, e: PaymentDeclined) => {
  if (e.forLineId === null) return cancelOrder(ctx, e.orderId, 'payment_declined', `${e.reasonCode}: ${e.message}`);
  await refuseAddedLine(ctx, e.orderId, e.forLineId, 'payment_declined', `payment declined: ${e.reasonCode}: ${e.message}`, rules);
};

/** An added line's stock is reserved: the line becomes active. (The placed lines' reservation needs nothing from intake.) */
export const onInventoryReserved = onlyWhen<'io.oms.inventory.InventoryReserved'>(
  (e) => e.forLineId !== null,
  async (ctx, e: InventoryReserved) => {
    await ctx.trx('order_lines').where({ order_id: e.orderId, line_id: e.forLineId!, status: 'pending' }).update({ status: 'active' });
  },
);

export const onInventoryUnavailable = (rules: PricingRules): Handler<'io.oms.inventory.InventoryUnavailable'> => async (ctx, e: InventoryUnavailable) => {
  const summary = e.lines.map((l) => `${l.sku}: ${l.reason} (wanted ${l.requested}, available ${l.available})`).join('; ');
  if (e.forLineId === null) return cancelOrder(ctx, e.orderId, 'out_of_stock', summary);
  await refuseAddedLine(ctx, e.orderId, e.forLineId, 'out_of_stock', `could not be reserved: ${summary}`, rules);
};

/** LineItemRefused.reasonCode of a line refused after it was announced (add-line.handler.ts refuses at the door: not_addable, invalid_line). */
type LineRefusalCode = 'out_of_stock' | 'payment_declined' | 'fraud_rejected' | 'fraud_review';

/**
 * An announced line refused after all: stored refused with its reason, the order re-priced, and
 * LineItemRefused told, from which inventory releases any stock the line holds and fulfillment
 * goes on with the other lines.
 */
async function refuseAddedLine(ctx: HandlerContext, orderId: string, lineId: string, reasonCode: LineRefusalCode, reason: string, rules: PricingRules): Promise<void> {
  const read = await ChunkOrderReads.of(ctx).lockWithLines(orderId);
  if (!read) return;
  const { order, lines } = read;
  // a cancelled order keeps the total and version it was cancelled with: its stock is released anyway
  if (isCalledOff(order.state)) return ctx.log.info({ lineId, state: order.state }, 'line not refused: the order has ended');
  const line = lines.find((l) => l.line_id === lineId);
  if (!line || line.status === 'refused') return ctx.log.info({ lineId, status: line?.status }, 'line not refused: unknown, or refused already');
  await ctx.trx('order_lines').where({ order_id: orderId, line_id: lineId }).update({ status: 'refused', refused_reason: reason, line_total_minor: 0, discount_minor: 0 });
  const priced = priceLines(order, lines.filter((l) => l.status !== 'refused' && l !== line), rules);
  const version = order.version + 1;
  await storeRepricing(ctx.trx, orderId, version, priced);
  await ctx.emit('io.oms.orders.LineItemRefused', { lineId, sku: line.sku, reasonCode, reason, totalMinor: priced.breakdown.totalMinor, currency: order.currency, orderVersion: version, problems: [] });
  ctx.log.info({ lineId, reason }, 'added line refused; order goes on');
}
