import type { OrderCancelled, OrderShipped } from '../../shared/contracts/types.generated';
import { ChunkOrderReads } from '../../shared/chunk-order-reads';
import { OrderLineRow, priceLines, recordCompensation } from '../../shared/order-store';
import type { PricingRules } from '../../shared/pricing';
import type { Handler, HandlerContext } from '../../shared/runner/handler';
import type { PaymentGateway } from './gateway';
import { PaymentLedger } from './payment-ledger';
import { openAuthorizations, PaymentRow } from './payment-repository';

const payload = (p: PaymentRow, version: number) => ({
  paymentId: p.payment_id, amountMinor: p.amount_minor, currency: p.currency, method: p.method, gateway: p.gateway,
  externalTransactionId: p.external_transaction_id, orderVersion: version,
});

/**
 * Stock is held: authorize what the reserved lines cost minus what is already authorized. The
 * order's own reservation asks for its placed lines only (or for all the reserved lines, when
 * those cost less), even when an added line is reserved by then: every added line has its own InventoryReserved and asks for its own raise, so a card that
 * takes the order but not the line declines the line alone (before the 26th session one
 * authorization covered both, and its decline cancelled the order). For an added line that is the
 * increase only; the earlier authorization stays, and a declined increase names the line
 * (PaymentDeclined.forLineId) so that only the line is refused.
 */
export const authorizeReserved = (gateway: PaymentGateway, rules: PricingRules): Handler<'io.oms.inventory.InventoryReserved'> => async (ctx, e) => {
  await PaymentLedger.of(ctx).settle(e.orderId); // the authorized amount below must count this chunk's earlier authorizations
  const read = await ChunkOrderReads.of(ctx).lockWithSettled(e.orderId);
  if (!read || read.order.state !== 'Processing') return ctx.log.info({ state: read?.order.state }, 'not authorizing: order is not Processing');
  const { order, settled: { wholeReserved, reserved, authorizedMinor } } = read;
  if (!wholeReserved) return;
  const price = (lines: OrderLineRow[]) => priceLines(order, lines, rules).breakdown.totalMinor;
  let total: number;
  if (e.forLineId === null) {
    // prices do not add up line by line (a line can bring free shipping or a promotion's threshold): never ask more than all the reserved lines cost
    total = Math.min(price(reserved.filter((l) => l.origin === 'placed')), price(reserved));
  } else {
    const declined = (await PaymentLedger.of(ctx).paymentsOf(e.orderId)).filter((p) => p.operation === 'authorize' && p.status === 'declined');
    if (authorizedMinor === 0 && declined.some((p) => p.for_line_id === null)) return ctx.log.info({ lineId: e.forLineId }, 'not raising: the order\'s own authorization was declined, and the order is being cancelled');
    const asked = linesRaisedFor(e.forLineId, reserved, new Set(declined.map((p) => p.for_line_id)));
    if (asked.length === 0) return;
    total = price(asked);
  }
  const needed = total - authorizedMinor;
  if (needed <= 0) return;
  const idempotencyKey = `authorize:${e.eventId}`;
  const result = await gateway.authorize({ idempotencyKey, amountMinor: needed, currency: order.currency, method: order.payment_method, token: order.payment_token ?? '' });
  const p = PaymentLedger.of(ctx).record({ orderId: e.orderId, operation: 'authorize', amountMinor: needed, currency: order.currency, method: order.payment_method, gateway: gateway.name, idempotencyKey, result, forLineId: e.forLineId });
  if (result.status === 'approved') return ctx.emit('io.oms.payments.PaymentAuthorized', payload(p, order.version));
  // an added line's raise, declined while the order's own authorization stands: the line is refused, the order goes on
  const forLineId = e.forLineId !== null && authorizedMinor > 0 ? e.forLineId : null;
  await ctx.emit('io.oms.payments.PaymentDeclined', { ...payload(p, order.version), reasonCode: result.reasonCode, message: result.message, forLineId });
};

/**
 * What an added line's raise pays for: the reserved lines up to this one, in the order they were
 * added (the lines after it are asked for by their own InventoryReserved), without the added lines
 * whose own raise the gateway declined (intake's refusal of them may not have landed yet). So a
 * declined raise is this line's alone. Empty when the line is not reserved (refused meanwhile).
 */
function linesRaisedFor(lineId: string, reserved: OrderLineRow[], declinedLines: Set<string | null>): OrderLineRow[] {
  // the placed lines always, whatever the order of the rows: a line added in the SubmitOrder's own intake chunk has the same added_at
  const added = reserved.filter((l) => l.origin === 'added');
  const at = added.findIndex((l) => l.line_id === lineId);
  if (at < 0) return [];
  return [...reserved.filter((l) => l.origin === 'placed'), ...added.slice(0, at + 1).filter((l) => !declinedLines.has(l.line_id))];
}

/**
 * A capture, void or refund of `parent`, announced when approved. A decline is final (the same
 * idempotency key gets the same answer): it is recorded with its reason for support to act on
 * (an authorization that lapsed before the warehouse shipped is the usual one), not retried until
 * the event is dead-lettered. Returns whether the gateway approved.
 */
async function followUp(ctx: HandlerContext, gateway: PaymentGateway, op: 'capture' | 'void' | 'refund', parent: PaymentRow, amountMinor: number, version: number): Promise<boolean> {
  const idempotencyKey = `${op}:${parent.payment_id}`;
  const result = await gateway[op]({ idempotencyKey, transactionId: parent.external_transaction_id ?? '', amountMinor, currency: parent.currency });
  const p = PaymentLedger.of(ctx).record({ orderId: parent.order_id, operation: op, amountMinor, currency: parent.currency, method: parent.method, gateway: gateway.name, idempotencyKey, result });
  if (result.status !== 'approved') {
    ctx.log.error({ operation: op, paymentId: parent.payment_id, amountMinor, reasonCode: result.reasonCode }, `the gateway declined to ${op}: recorded for support`);
    return false;
  }
  const record = op === 'capture' ? 'io.oms.payments.PaymentCaptured' : op === 'void' ? 'io.oms.payments.PaymentVoided' : 'io.oms.payments.PaymentRefunded';
  await ctx.emit(record, payload(p, version));
  return true;
}

/** Shipped: capture what the shipped lines cost across the authorizations; void what is left over. */
export const captureShipped = (gateway: PaymentGateway, rules: PricingRules): Handler<'io.oms.fulfillment.OrderShipped'> => async (ctx, e: OrderShipped) => {
  const read = await ChunkOrderReads.of(ctx).lockWithSettled(e.orderId);
  if (!read) return;
  const { order, settled: { reserved } } = read;
  let remaining = priceLines(order, reserved, rules).breakdown.totalMinor;
  for (const auth of openAuthorizations(await PaymentLedger.of(ctx).paymentsOf(e.orderId))) {
    const amount = Math.min(auth.amount_minor, remaining);
    remaining -= amount;
    await followUp(ctx, gateway, amount > 0 ? 'capture' : 'void', auth, amount > 0 ? amount : auth.amount_minor, e.orderVersion);
  }
};

/** Cancelled: void open authorizations, refund captures; record the compensation. */
export const compensateCancelled = (gateway: PaymentGateway): Handler<'io.oms.orders.OrderCancelled'> => async (ctx, e: OrderCancelled) => {
  // the chunk's orders locked first, in key order, as every other step does: the compensation's update of orders came last, in message order, and deadlocked
  await ChunkOrderReads.of(ctx).holdLocks(e.orderId);
  const payments = await PaymentLedger.of(ctx).paymentsOf(e.orderId);
  const open = openAuthorizations(payments);
  const refunded = new Set(payments.filter((p) => p.operation === 'refund').map((p) => p.idempotency_key.split(':')[1]));
  const captures = payments.filter((p) => p.operation === 'capture' && p.status === 'approved' && !refunded.has(p.payment_id));
  let voidDeclined = false;
  let refundDeclined = false;
  for (const auth of open) if (!(await followUp(ctx, gateway, 'void', auth, auth.amount_minor, e.orderVersion))) voidDeclined = true;
  for (const cap of captures) if (!(await followUp(ctx, gateway, 'refund', cap, cap.amount_minor, e.orderVersion))) refundDeclined = true;
  // a declined refund leaves the customer charged: it outranks every other outcome for support
  const status = refundDeclined ? 'refund_declined' : voidDeclined ? 'void_declined' : captures.length ? 'refunded' : open.length ? 'voided' : 'nothing_authorized';
  await recordCompensation(ctx.trx, e.orderId, 'payment', status);
};
