import type { Knex } from 'knex';
import type { Address, Customer, DeliveryPreferences } from './contracts/types.generated';
import type { OrderState } from './order-state';
import { getTotalPrice, PricedOrder, PricingRules } from './pricing';

/** The orders row as services read it (jsonb columns parsed by pg). */
export interface OrderRow {
  order_id: string;
  state: OrderState;
  version: number;
  currency: string;
  customer: Customer;
  shipping_address: Address;
  delivery_preferences: DeliveryPreferences | null;
  shipping_method: string;
  promotion_codes: string[];
  payment_method: string;
  payment_token: string | null;
  total_minor: number;
  correlation_id: string;
}

export interface OrderLineRow {
  line_id: string;
  sku: string;
  name: string;
  quantity: number;
  unit_price_minor: number;
  weight_grams: number;
  status: 'active' | 'pending' | 'refused';
  origin: 'placed' | 'added';
}

/**
 * Locks the order row for the rest of the transaction. Every saga step that decides from the
 * order's state takes this lock, so decisions about one order are serialized across services
 * and instances (a cancel and a reservation never interleave).
 */
export async function lockOrder(trx: Knex.Transaction, orderId: string): Promise<OrderRow | undefined> {
  return (await trx('orders').where({ order_id: orderId }).forUpdate().first()) as OrderRow | undefined;
}

export async function orderLines(trx: Knex.Transaction, orderId: string): Promise<OrderLineRow[]> {
  return (await trx('order_lines').where({ order_id: orderId }).orderBy('added_at').orderBy('line_id')) as OrderLineRow[];
}

export function priceLines(order: OrderRow, lines: OrderLineRow[], rules: PricingRules): PricedOrder {
  return getTotalPrice(
    {
      currency: order.currency,
      shippingMethod: order.shipping_method,
      destination: { country: order.shipping_address.country, region: order.shipping_address.region },
      promotionCodes: order.promotion_codes,
      lines: lines.map((l) => ({ lineId: l.line_id, sku: l.sku, name: l.name, quantity: l.quantity, unitPriceMinor: l.unit_price_minor, weightGrams: l.weight_grams })),
    },
    rules,
  );
}

/**
 * What inventory has settled for an order, read from inventory's own rows (written in the same
 * transaction as its events, so whoever reacts to an inventory event sees them):
 * the lines that are reserved, and whether any added line still waits for its reservation.
 */
export async function settledLines(trx: Knex.Transaction, orderId: string) {
  const lines = await orderLines(trx, orderId);
  const reservations = (await trx('reservations').where({ order_id: orderId }).whereIn('status', ['held', 'committed']).select('line_id')) as { line_id: string | null }[];
  const refusals = new Set(((await trx('inventory_refusals').where({ order_id: orderId }).select('scope')) as { scope: string }[]).map((r) => r.scope));
  const wholeReserved = reservations.some((r) => r.line_id === null);
  const reservedAdded = new Set(reservations.map((r) => r.line_id).filter((l): l is string => l !== null));
  const reserved = lines.filter((l) => (l.origin === 'placed' ? wholeReserved : reservedAdded.has(l.line_id)));
  const unresolved = lines.filter((l) => l.origin === 'added' && l.status === 'pending' && !reservedAdded.has(l.line_id) && !refusals.has(l.line_id));
  return { wholeReserved, reserved, unresolved };
}

export async function authorizedMinor(trx: Knex.Transaction, orderId: string): Promise<number> {
  const row = await trx('payments').where({ order_id: orderId, operation: 'authorize', status: 'approved' }).sum({ s: 'amount_minor' }).first();
  return Number(row?.s ?? 0);
}

/** Merges one system's compensation status into orders.compensation (e.g. payment: 'voided'). */
export async function recordCompensation(trx: Knex.Transaction, orderId: string, system: 'inventory' | 'payment' | 'warehouse' | 'customer', status: string): Promise<void> {
  await trx('orders')
    .where({ order_id: orderId })
    .update({ compensation: trx.raw('compensation || ?::jsonb', [JSON.stringify({ [system]: status })]) });
}
