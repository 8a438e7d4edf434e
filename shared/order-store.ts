import type { Knex } from 'knex';
import { preparedRows, preparedRowsPair, type PreparedStatement, queuePreparedRead } from './db/prepared-statement';
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

// each statement's text made once: a prepared statement is looked up by it on every call
const LOCK_ORDERS = `SELECT ${ORDER_COLUMNS.join(', ')} FROM orders WHERE order_id = ANY(:orderIds::uuid[]) ORDER BY order_id FOR UPDATE`;
/** An order's lines in the order they were added, the placed ones first: a line added in the SubmitOrder's own intake transaction has the same added_at. */
export const linesInOrder = (alias = '') => `${alias}origin = 'added', ${alias}added_at, ${alias}line_id`;
const LINES_OF_ORDERS = `SELECT order_id, ${LINE_COLUMNS.join(', ')} FROM order_lines WHERE order_id = ANY(:orderIds::uuid[]) ORDER BY order_id, ${linesInOrder()}`;
const SETTLED_LINES_OF_ORDERS = `WITH held AS (SELECT DISTINCT order_id, line_id FROM reservations WHERE order_id = ANY(:orderIds::uuid[]) AND status IN ('held', 'committed')),
          refused AS (SELECT DISTINCT order_id, scope FROM inventory_refusals WHERE order_id = ANY(:orderIds::uuid[])),
          authorized AS (SELECT order_id, sum(amount_minor)::bigint AS minor FROM payments
                          WHERE order_id = ANY(:orderIds::uuid[]) AND operation = 'authorize' AND status = 'approved' GROUP BY order_id)
     SELECT l.order_id, ${LINE_COLUMNS.map((c) => `l.${c}`).join(', ')},
            whole.order_id IS NOT NULL AS whole_reserved,
            line.line_id IS NOT NULL AS line_reserved,
            refused.scope IS NOT NULL AS line_refused,
            coalesce(authorized.minor, 0)::bigint AS authorized_minor
       FROM order_lines l
       LEFT JOIN held whole ON whole.order_id = l.order_id AND whole.line_id IS NULL
       LEFT JOIN held line ON line.order_id = l.order_id AND line.line_id = l.line_id
       LEFT JOIN refused ON refused.order_id = l.order_id AND refused.scope = l.line_id
       LEFT JOIN authorized ON authorized.order_id = l.order_id
      WHERE l.order_id = ANY(:orderIds::uuid[])
      ORDER BY l.order_id, ${linesInOrder('l.')}`;

/**
 * Locks order rows for the rest of the transaction, in key order (two chunks locking overlapping
 * orders take them in the same order). Every saga step that decides from the order's state takes
 * this lock, so decisions about one order are serialized across services and instances (a cancel
 * and a reservation never interleave). Handlers go through chunk-order-reads, which locks a
 * chunk's orders in one statement.
 */
export async function lockOrders(trx: Knex.Transaction, orderIds: readonly string[]): Promise<Map<string, OrderRow>> {
  return ordersByKey(await preparedRows<OrderRow>(trx, 'lock_orders', LOCK_ORDERS, { orderIds }));
}

/** The orders' lines, each order's in the order they were added (the placed ones first: a line added in the SubmitOrder's own intake transaction has the same added_at). */
export async function linesOfOrders(trx: Knex.Transaction, orderIds: readonly string[]): Promise<Map<string, OrderLineRow[]>> {
  return linesByOrder(orderIds, await preparedRows<LineRow>(trx, 'lines_of_orders', LINES_OF_ORDERS, { orderIds }));
}

/** lockOrders, then linesOfOrders of the same orders once they are locked: one round trip in a pipelined transaction. */
export async function lockOrdersWithLines(trx: Knex.Transaction, orderIds: readonly string[]): Promise<[Map<string, OrderRow>, Map<string, OrderLineRow[]>]> {
  const [orders, lines] = await preparedRowsPair<OrderRow, LineRow>(trx, lockStatement(orderIds), { name: 'lines_of_orders', sql: LINES_OF_ORDERS, bindings: { orderIds } });
  return [ordersByKey(orders), linesByOrder(orderIds, lines)];
}

/** lockOrders, then settledLinesOfOrders of the same orders once they are locked: one round trip in a pipelined transaction. */
export async function lockOrdersWithSettled(trx: Knex.Transaction, orderIds: readonly string[]): Promise<[Map<string, OrderRow>, Map<string, SettledLines>]> {
  const [orders, settled] = await preparedRowsPair<OrderRow, SettledRow>(trx, lockStatement(orderIds), { name: 'settled_lines_of_orders', sql: SETTLED_LINES_OF_ORDERS, bindings: { orderIds } });
  return [ordersByKey(orders), settledByOrder(orderIds, settled)];
}

/**
 * lockOrders with no answer awaited: queued on a pipelined transaction, the transaction's next
 * statement carries it. For a batch that writes orders only at its flush: its orders are locked in
 * key order before its statements take any of them in another order.
 */
export async function queueLockOrders(trx: Knex.Transaction, orderIds: readonly string[]): Promise<void> {
  await queuePreparedRead(trx, lockStatement(orderIds), () => undefined);
}

const lockStatement = (orderIds: readonly string[]): PreparedStatement => ({ name: 'lock_orders', sql: LOCK_ORDERS, bindings: { orderIds } });
const ordersByKey = (rows: OrderRow[]) => new Map(rows.map((r) => [orderKey(r.order_id), r]));
type LineRow = OrderLineRow & { order_id: string };
const linesByOrder = (orderIds: readonly string[], rows: LineRow[]) => groupByOrder(orderIds, rows, ({ order_id: _o, ...line }) => line);

/**
 * How these reads key their maps: an order id in the lower case Postgres prints uuids in, so an
 * order whose channel sent its id in upper case is still found.
 */
export const orderKey = (orderId: string) => orderId.toLowerCase();

/** Rows grouped by order (keyed by orderKey), every asked-for order present. */
export function groupByOrder<R extends { order_id: string }, T>(orderIds: readonly string[], rows: R[], map: (r: R) => T): Map<string, T[]> {
  const byOrder = new Map<string, T[]>(orderIds.map((id) => [orderKey(id), []]));
  for (const r of rows) byOrder.get(orderKey(r.order_id))?.push(map(r));
  return byOrder;
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

export interface SettledLines {
  /** The placed lines are reserved (one order-wide reservation held or committed). */
  wholeReserved: boolean;
  /** The lines whose stock is held: the placed ones once wholeReserved, and each reserved added line not refused since. */
  reserved: OrderLineRow[];
  /** Added lines still waiting for inventory's answer. */
  unresolved: OrderLineRow[];
  /** What approved authorizations cover so far. */
  authorizedMinor: number;
}

/**
 * What inventory has settled for each order, read from inventory's own rows (written in the same
 * transaction as its events, so whoever reacts to an inventory event sees them) and the amount
 * authorized so far. One statement: each line joined with the reservation, refusal and payment
 * facts it needs, each read by the orders' keys first (a correlated EXISTS let the planner
 * hash-scan the whole reservations table). Call it after the orders are locked, never fold the
 * lock in: a statement that waited for the lock would read these rows from its snapshot taken
 * before the wait (lockOrdersWithSettled sends it after the lock, as a statement of its own).
 */
export async function settledLinesOfOrders(trx: Knex.Transaction, orderIds: readonly string[]): Promise<Map<string, SettledLines>> {
  return settledByOrder(orderIds, await preparedRows<SettledRow>(trx, 'settled_lines_of_orders', SETTLED_LINES_OF_ORDERS, { orderIds }));
}

type SettledRow = OrderLineRow & { order_id: string; whole_reserved: boolean; line_reserved: boolean; line_refused: boolean; authorized_minor: number };

function settledByOrder(orderIds: readonly string[], rows: SettledRow[]): Map<string, SettledLines> {
  const settled = new Map<string, SettledLines>();
  for (const [orderId, facts] of groupByOrder(orderIds, rows, (r) => r)) {
    const wholeReserved = facts.some((r) => r.whole_reserved);
    const line = ({ order_id: _o, whole_reserved: _w, line_reserved: _r, line_refused: _f, authorized_minor: _a, ...l }: SettledRow): OrderLineRow => l;
    settled.set(orderId, {
      wholeReserved,
      // a refused line never ships, even while its stock waits to be released (a declined raise)
      reserved: facts.filter((r) => r.status !== 'refused' && (r.origin === 'placed' ? wholeReserved : r.line_reserved)).map(line),
      unresolved: facts.filter((r) => r.origin === 'added' && r.status === 'pending' && !r.line_reserved && !r.line_refused).map(line),
      authorizedMinor: facts[0]?.authorized_minor ?? 0,
    });
  }
  return settled;
}

/** Merges one system's compensation status into orders.compensation (e.g. payment: 'voided'). */
export async function recordCompensation(trx: Knex.Transaction, orderId: string, system: 'inventory' | 'payment' | 'warehouse' | 'customer', status: string): Promise<void> {
  await trx('orders')
    .where({ order_id: orderId })
    .update({ compensation: trx.raw('compensation || ?::jsonb', [JSON.stringify({ [system]: status })]) });
}
