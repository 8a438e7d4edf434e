import type { Knex } from 'knex';
import { prepared } from './db/knex';
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

const ORDER_COLUMNS: (keyof OrderRow)[] = [
  'order_id', 'state', 'version', 'currency', 'customer', 'shipping_address', 'delivery_preferences', 'shipping_method',
  'promotion_codes', 'payment_method', 'payment_token', 'total_minor', 'correlation_id',
];
const LINE_COLUMNS: (keyof OrderLineRow)[] = ['line_id', 'sku', 'name', 'quantity', 'unit_price_minor', 'weight_grams', 'status', 'origin'];

/**
 * Locks the order row for the rest of the transaction. Every saga step that decides from the
 * order's state takes this lock, so decisions about one order are serialized across services
 * and instances (a cancel and a reservation never interleave).
 */
export async function lockOrder(trx: Knex.Transaction, orderId: string): Promise<OrderRow | undefined> {
  return (await prepared('lock_order', trx('orders').where({ order_id: orderId }).forUpdate().first(ORDER_COLUMNS))) as OrderRow | undefined;
}

export async function orderLines(trx: Knex.Transaction, orderId: string): Promise<OrderLineRow[]> {
  return (await prepared('order_lines', trx('order_lines').where({ order_id: orderId }).orderBy('added_at').orderBy('line_id').select(LINE_COLUMNS))) as OrderLineRow[];
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
 * the lines that are reserved, whether any added line still waits for its reservation, and the
 * amount authorized so far. One statement: each line with the reservation and refusal facts it
 * needs, both read by the order's key first (a correlated EXISTS would let the planner hash-scan
 * the whole table). Call it after lockOrder, never fold the lock in: a statement that waited for
 * the lock would read these rows from its snapshot taken before the wait.
 */
export async function settledLines(trx: Knex.Transaction, orderId: string) {
  const { rows } = (await prepared('settled_lines', trx.raw(
    `WITH held AS (SELECT line_id FROM reservations WHERE order_id = :orderId AND status IN ('held', 'committed')),
          refused AS (SELECT scope FROM inventory_refusals WHERE order_id = :orderId),
          authorized AS (SELECT coalesce(sum(amount_minor), 0)::bigint AS minor FROM payments WHERE order_id = :orderId AND operation = 'authorize' AND status = 'approved')
     SELECT ${LINE_COLUMNS.map((c) => `l.${c}`).join(', ')},
            EXISTS (SELECT 1 FROM held WHERE held.line_id IS NULL) AS whole_reserved,
            EXISTS (SELECT 1 FROM held WHERE held.line_id = l.line_id) AS line_reserved,
            EXISTS (SELECT 1 FROM refused WHERE refused.scope = l.line_id) AS line_refused,
            (SELECT minor FROM authorized) AS authorized_minor
       FROM order_lines l WHERE l.order_id = :orderId ORDER BY l.added_at, l.line_id`,
    { orderId },
  ))) as { rows: (OrderLineRow & { whole_reserved: boolean; line_reserved: boolean; line_refused: boolean; authorized_minor: number })[] };
  const wholeReserved = rows.some((r) => r.whole_reserved);
  const lines = rows.map(({ whole_reserved: _w, line_reserved: _r, line_refused: _f, authorized_minor: _a, ...line }) => line);
  const reserved = lines.filter((l, i) => (l.origin === 'placed' ? wholeReserved : rows[i]!.line_reserved));
  const unresolved = lines.filter((l, i) => l.origin === 'added' && l.status === 'pending' && !rows[i]!.line_reserved && !rows[i]!.line_refused);
  const authorizedMinor = rows[0]?.authorized_minor ?? 0;
  return { wholeReserved, reserved, unresolved, authorizedMinor };
}

/** Merges one system's compensation status into orders.compensation (e.g. payment: 'voided'). */
export async function recordCompensation(trx: Knex.Transaction, orderId: string, system: 'inventory' | 'payment' | 'warehouse' | 'customer', status: string): Promise<void> {
  await trx('orders')
    .where({ order_id: orderId })
    .update({ compensation: trx.raw('compensation || ?::jsonb', [JSON.stringify({ [system]: status })]) });
}
