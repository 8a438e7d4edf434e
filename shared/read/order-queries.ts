import type { Db } from '../db/knex';
import { linesInOrder } from '../order-store';
import type { OrderState } from '../order-state';
import { customerCancelText } from '../customer-cancel-text';
import { UUID } from '../uuid';

/** Read side for the API: operator search and the customer's tracking view. */
export interface SearchFilter {
  state?: OrderState;
  customerId?: string;
  channel?: string;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

const encodeCursor = (createdAt: string, orderId: string) => Buffer.from(JSON.stringify([createdAt, orderId])).toString('base64url');
/**
 * The cursor's created_at to the microsecond, as Postgres keeps it. A JS Date keeps milliseconds,
 * and the orders of one intake transaction share one created_at (its now()): a cursor cut to the
 * millisecond would sort before them all and the next page would skip the rest of that chunk.
 */
const CURSOR_AT = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at`;
/** A search the database cannot run as asked: the API answers 400 with the message, the CLI prints it. */
export class BadSearch extends Error {
  readonly statusCode = 400;
}

const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
function decodeCursor(cursor: string): [string, string] {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    v = null;
  }
  if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && CURSOR_TIME.test(v[0]) && !v[0].startsWith('0000') && typeof v[1] === 'string' && UUID.test(v[1])) return [v[0], v[1]];
  throw new BadSearch('cursor is not one this API handed out');
}

/**
 * `from` / `to` as Postgres can take them: a date-time in the years 1–9999 whose offset is at most
 * ±15:59 (a JSON Schema date-time allows year 0 and any offset; Postgres refuses them).
 */
const DATE_TIME = /^(\d{4})-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-](\d{2}):\d{2})$/;
function timeBound(name: string, value: string): string {
  const m = DATE_TIME.exec(value);
  if (!m || Number(m[1]) < 1 || Number(m[4] ?? 0) > 15 || Number.isNaN(Date.parse(value))) throw new BadSearch(`${name} must be a date-time in the years 1-9999 with an offset of at most 15:59`);
  return value;
}

/** One order as the search lists it. */
export interface OrderSummary {
  order_id: string;
  channel: string;
  channel_order_ref: string;
  customer_id: string;
  state: OrderState;
  cancel_reason: string | null;
  currency: string;
  total_minor: number;
  created_at: Date;
  updated_at: Date;
}

/** Newest first, keyset-paginated on (created_at, order_id) so pages never skip or repeat. */
export async function searchOrders(db: Db, f: SearchFilter) {
  const q = db('orders')
    .select('order_id', 'channel', 'channel_order_ref', 'customer_id', 'state', 'cancel_reason', 'currency', 'total_minor', 'created_at', 'updated_at', db.raw(CURSOR_AT))
    .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'order_id', order: 'desc' }])
    .limit(f.limit + 1);
  if (f.state) q.where({ state: f.state });
  if (f.customerId) q.where({ customer_id: f.customerId });
  if (f.channel) q.where({ channel: f.channel });
  if (f.from) q.where('created_at', '>=', timeBound('from', f.from));
  if (f.to) q.where('created_at', '<', timeBound('to', f.to));
  if (f.cursor) q.whereRaw('(created_at, order_id) < (?::timestamptz, ?::uuid)', decodeCursor(f.cursor));
  const rows = (await q) as (OrderSummary & { cursor_at: string })[];
  const page = rows.slice(0, f.limit);
  const last = page.at(-1);
  return {
    orders: page.map(({ cursor_at: _c, ...order }): OrderSummary => order),
    nextCursor: rows.length > f.limit && last ? encodeCursor(last.cursor_at, last.order_id) : null,
  };
}

/** track_order: what a customer may see, by unguessable token. No internal reasons, no ids. */
export async function trackOrder(db: Db, token: string) {
  const order = await db('orders').where({ tracking_token: token }).first();
  if (!order) return null;
  const [lines, shipments, history] = await Promise.all([
    db('order_lines').where({ order_id: order.order_id }).whereNot({ status: 'refused' }).orderByRaw(linesInOrder()).select('sku', 'name', 'quantity', 'line_total_minor'),
    db('shipments').where({ order_id: order.order_id }).select('carrier', 'tracking_number', 'status', 'dispatched_at', 'delivered_at'),
    db('order_status_history').where({ order_id: order.order_id, refused: false }).orderBy('id').select('to_state', 'at'),
  ]);
  return {
    orderRef: order.channel_order_ref,
    state: order.state,
    stateText: order.state === 'Cancelled' ? customerCancelText(order.cancel_reason) : order.state.replace('_', ' ').toLowerCase(),
    placedAt: order.placed_at,
    currency: order.currency,
    totals: { subtotalMinor: order.subtotal_minor, discountMinor: order.discount_minor, taxMinor: order.tax_minor, shippingMinor: order.shipping_minor, totalMinor: order.total_minor },
    items: lines.map((l) => ({ sku: l.sku, name: l.name, quantity: l.quantity, totalMinor: l.line_total_minor })),
    shipments: shipments.map((s) => ({ carrier: s.carrier, trackingNumber: s.tracking_number, status: s.status, dispatchedAt: s.dispatched_at, deliveredAt: s.delivered_at })),
    timeline: history.map((h) => ({ state: h.to_state, at: h.at })),
  };
}
