import { randomBytes } from 'crypto';
import type { Knex } from 'knex';
import type { PriceBreakdown, RejectionReason, SubmitOrder } from '../../shared/contracts/types.generated';
import { recordHistory, type Cause, type OrderState } from '../../shared/order-state';
import type { PricedOrder } from '../../shared/pricing';

const LINE_ROWS_PER_INSERT = 1000;

/** An unguessable token customers track their order with (192 random bits). */
export const newTrackingToken = () => randomBytes(24).toString('base64url');

/**
 * Creates the order in its initial state. Returns false when the order id or the
 * (channel, channelOrderRef) idempotency key already exists: the submission is a repeat.
 */
export async function createOrder(
  trx: Knex.Transaction,
  cmd: SubmitOrder,
  initial: { state: Extract<OrderState, 'Pending' | 'Rejected'>; priced: PricedOrder | null; rejectionReasons: RejectionReason[] | null; cause: Cause },
): Promise<boolean> {
  const b = initial.priced?.breakdown;
  const inserted = await trx('orders')
    .insert({
      order_id: cmd.orderId,
      channel: cmd.channel,
      channel_order_ref: cmd.channelOrderRef,
      customer_id: cmd.customer.customerId,
      customer: JSON.stringify(cmd.customer),
      shipping_address: JSON.stringify(cmd.shippingAddress),
      billing_address: cmd.billingAddress ? JSON.stringify(cmd.billingAddress) : null,
      delivery_preferences: cmd.deliveryPreferences ? JSON.stringify(cmd.deliveryPreferences) : null,
      currency: cmd.currency,
      shipping_method: cmd.shippingMethod,
      promotion_codes: JSON.stringify(cmd.promotionCodes),
      payment_method: cmd.payment.method,
      payment_token: cmd.payment.token,
      billing_country: cmd.payment.billingCountry,
      state: initial.state,
      rejection_reasons: initial.rejectionReasons ? JSON.stringify(initial.rejectionReasons) : null,
      ...(b ? totalsColumns(b) : {}),
      tracking_token: newTrackingToken(),
      correlation_id: cmd.correlationId,
      placed_at: new Date(cmd.occurredAt),
    })
    .onConflict()
    .ignore()
    .returning('order_id');
  if (inserted.length === 0) return false;

  const lines = initial.priced?.lines ?? cmd.lines.map((l, i) => ({ ...l, lineId: `L${i + 1}`, discountMinor: 0, lineTotalMinor: 0 }));
  // In slices: a rejected order may carry thousands of lines, and one statement takes at most 65 535 parameters.
  for (let i = 0; i < lines.length; i += LINE_ROWS_PER_INSERT) {
    await trx('order_lines').insert(
      lines.slice(i, i + LINE_ROWS_PER_INSERT).map((l) => ({
        order_id: cmd.orderId, line_id: l.lineId, sku: l.sku, name: l.name, quantity: l.quantity,
        unit_price_minor: l.unitPriceMinor, discount_minor: l.discountMinor, line_total_minor: l.lineTotalMinor, weight_grams: l.weightGrams,
        status: initial.state === 'Rejected' ? 'refused' : 'active',
      })),
    );
  }
  if (initial.priced) await storePriceComponents(trx, cmd.orderId, initial.priced, 'new');
  const reason = initial.rejectionReasons?.map((r) => r.message).join('; ') ?? null;
  await recordHistory(trx, { orderId: cmd.orderId, from: null, to: initial.state, cause: initial.cause, version: 1, refused: false, reason });
  return true;
}

const totalsColumns = (b: PriceBreakdown) => ({
  subtotal_minor: b.subtotalMinor, discount_minor: b.discountMinor, tax_minor: b.taxMinor, shipping_minor: b.shippingMinor, total_minor: b.totalMinor,
});

/** A re-priced order (a line added or refused): new totals and breakdown, one version up. */
export async function storeRepricing(trx: Knex.Transaction, orderId: string, version: number, priced: PricedOrder): Promise<void> {
  await trx('orders').where({ order_id: orderId }).update({ version, updated_at: trx.fn.now(), ...totalsColumns(priced.breakdown) });
  await storePriceComponents(trx, orderId, priced);
}

/** Stores the order's price breakdown, replacing the earlier one unless the order is new. */
async function storePriceComponents(trx: Knex.Transaction, orderId: string, priced: PricedOrder, order: 'new' | 'repriced' = 'repriced'): Promise<void> {
  if (order === 'repriced') await trx('order_price_components').where({ order_id: orderId }).delete();
  await trx('order_price_components').insert(
    priced.components.map((c, seq) => ({ order_id: orderId, seq, kind: c.kind, code: c.code, description: c.description, amount_minor: c.amountMinor })),
  );
}
