import { randomBytes } from 'crypto';
import type { Knex } from 'knex';
import type { PriceBreakdown, RejectionReason, SubmitOrder } from '../../shared/contracts/types.generated';
import { historyRow, type Cause, type OrderState } from '../../shared/order-state';
import { type PricedOrder, ZERO_BREAKDOWN } from '../../shared/pricing';
import { RowsInsert } from '../../shared/db/rows-insert';
import { extend } from '../../shared/extend';

/** An unguessable token customers track their order with (192 random bits). */
export const newTrackingToken = () => randomBytes(24).toString('base64url');

export interface NewOrder {
  cmd: SubmitOrder;
  state: Extract<OrderState, 'Pending' | 'Rejected'>;
  priced: PricedOrder | null;
  rejectionReasons: RejectionReason[] | null;
  cause: Cause;
}

/**
 * Creates orders in their initial state, one statement per table for all of them. Returns, for
 * each order in the same order, whether it was created: one whose id or (channel,
 * channelOrderRef) idempotency key already exists, or came earlier in the same call, is a repeat.
 */
export async function createOrders(trx: Knex.Transaction, orders: NewOrder[]): Promise<boolean[]> {
  // a row is known by its (channel, channelOrderRef), unique in the table and stored as sent (Postgres rewrites uuids)
  const identity = (channel: string, ref: string) => JSON.stringify([channel, ref]);
  const inserted = new Set<string>();
  for (const r of await ORDERS.returning<{ channel: string; channel_order_ref: string }>(trx, orders.map(orderRow))) inserted.add(identity(r.channel, r.channel_order_ref));
  // the row came from the first of identical submissions: insert order decides, as one by one would
  const created = orders.map(({ cmd }) => inserted.delete(identity(cmd.channel, cmd.channelOrderRef)));
  const fresh = orders.filter((_, i) => created[i]);

  await ORDER_LINES.queue(trx, fresh.flatMap(({ cmd, state, priced }) => {
    const lines = priced?.lines ?? cmd.lines.map((l, i) => extend(l, { lineId: `L${i + 1}`, discountMinor: 0, lineTotalMinor: 0 }));
    return lines.map((l) => ({
      order_id: cmd.orderId, line_id: l.lineId, sku: l.sku, name: l.name, quantity: l.quantity,
      unit_price_minor: l.unitPriceMinor, discount_minor: l.discountMinor, line_total_minor: l.lineTotalMinor, weight_grams: l.weightGrams,
      status: state === 'Rejected' ? ('refused' as const) : ('active' as const),
    }));
  }));
  await PRICE_COMPONENTS.queue(trx, fresh.flatMap((o) => (o.priced ? priceComponentRows(o.cmd.orderId, o.priced) : [])));
  await HISTORY.queue(trx, fresh.map((o) => historyRow({
    orderId: o.cmd.orderId, from: null, to: o.state, cause: o.cause, version: 1, refused: false,
    reason: o.rejectionReasons?.map((r) => r.message).join('; ') ?? null,
  })));
  return created;
}

const orderRow = ({ cmd, state, priced, rejectionReasons }: NewOrder) => ({
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
  state,
  rejection_reasons: rejectionReasons ? JSON.stringify(rejectionReasons) : null,
  ...totalsColumns(priced?.breakdown ?? ZERO_BREAKDOWN), // a rejected order is not priced: 0, the columns' defaults
  tracking_token: newTrackingToken(),
  correlation_id: cmd.correlationId,
  placed_at: new Date(cmd.occurredAt),
});

// the first of identical submissions in the rows wins, as one by one would: unnest keeps their order
const ORDERS = new RowsInsert<ReturnType<typeof orderRow>>('insert_orders', 'orders', {
  order_id: 'uuid', channel: 'text', channel_order_ref: 'text', customer_id: 'text', customer: 'jsonb', shipping_address: 'jsonb', billing_address: 'jsonb',
  delivery_preferences: 'jsonb', currency: 'text', shipping_method: 'text', promotion_codes: 'jsonb', payment_method: 'text', payment_token: 'text',
  billing_country: 'text', state: 'text', rejection_reasons: 'jsonb', subtotal_minor: 'bigint', discount_minor: 'bigint', tax_minor: 'bigint',
  shipping_minor: 'bigint', total_minor: 'bigint', tracking_token: 'text', correlation_id: 'uuid', placed_at: 'timestamptz',
}, 'ON CONFLICT DO NOTHING RETURNING channel, channel_order_ref');

// the tables an order's creation writes, queued: they go out with the transaction's next statement (nothing reads them back)
const ORDER_LINES = new RowsInsert<{ order_id: string; line_id: string; sku: string; name: string; quantity: number; unit_price_minor: number; discount_minor: number; line_total_minor: number; weight_grams: number; status: 'active' | 'refused' }>(
  'insert_order_lines', 'order_lines',
  { order_id: 'uuid', line_id: 'text', sku: 'text', name: 'text', quantity: 'int', unit_price_minor: 'bigint', discount_minor: 'bigint', line_total_minor: 'bigint', weight_grams: 'int', status: 'text' },
);
const PRICE_COMPONENTS = new RowsInsert<ReturnType<typeof priceComponentRows>[number]>(
  'insert_order_price_components', 'order_price_components',
  { order_id: 'uuid', seq: 'int', kind: 'text', code: 'text', description: 'text', amount_minor: 'bigint' },
);
const HISTORY = new RowsInsert<ReturnType<typeof historyRow>>(
  'insert_order_status_history', 'order_status_history',
  { order_id: 'uuid', from_state: 'text', to_state: 'text', refused: 'boolean', reason: 'text', cause_event_id: 'text', cause_type: 'text', order_version: 'int' },
);

const totalsColumns = (b: PriceBreakdown) => ({
  subtotal_minor: b.subtotalMinor, discount_minor: b.discountMinor, tax_minor: b.taxMinor, shipping_minor: b.shippingMinor, total_minor: b.totalMinor,
});

/** A re-priced order (a line added or refused): new totals and breakdown, one version up. */
export async function storeRepricing(trx: Knex.Transaction, orderId: string, version: number, priced: PricedOrder): Promise<void> {
  await trx('orders').where({ order_id: orderId }).update({ version, updated_at: trx.fn.now(), ...totalsColumns(priced.breakdown) });
  await storePriceComponents(trx, orderId, priced);
}

/** Replaces the order's price breakdown. */
async function storePriceComponents(trx: Knex.Transaction, orderId: string, priced: PricedOrder): Promise<void> {
  await trx('order_price_components').where({ order_id: orderId }).delete();
  await trx('order_price_components').insert(priceComponentRows(orderId, priced));
}

const priceComponentRows = (orderId: string, priced: PricedOrder) =>
  priced.components.map((c, seq) => ({ order_id: orderId, seq, kind: c.kind, code: c.code, description: c.description, amount_minor: c.amountMinor }));
