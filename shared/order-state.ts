import type { Knex } from 'knex';
import { preparedRows } from './db/prepared-statement';
import { orderKey } from './order-store';
import type { CancelReason } from './contracts/types.generated';

export const ORDER_STATES = [
  'Pending', 'Processing', 'On_Hold', 'Awaiting_Shipment', 'Shipped', 'Delivered', 'Cancelled', 'Rejected',
] as const;
export type OrderState = (typeof ORDER_STATES)[number];

/** Cancellation reasons are the Avro enum of the contracts, so store and events cannot differ. */
export type { CancelReason };

/** The one table of allowed transitions; every writer goes through `transitionOrder`. */
export const TRANSITIONS: Readonly<Record<OrderState, readonly OrderState[]>> = {
  Pending: ['Processing', 'On_Hold', 'Cancelled'],
  On_Hold: ['Processing', 'Cancelled'],
  Processing: ['Awaiting_Shipment', 'Cancelled'],
  Awaiting_Shipment: ['Shipped', 'Cancelled'],
  Shipped: ['Delivered'],
  Delivered: [],
  Cancelled: [],
  Rejected: [],
};

/** Lines can be added until fulfillment is requested. */
export const LINE_ADDABLE_STATES: readonly OrderState[] = ['Pending', 'On_Hold', 'Processing'];

export const canTransition = (from: OrderState, to: OrderState) => TRANSITIONS[from].includes(to);

export const allowedFrom = (to: OrderState): OrderState[] =>
  ORDER_STATES.filter((from) => TRANSITIONS[from].includes(to));

export const isTerminal = (s: OrderState) => TRANSITIONS[s].length === 0;

/** Ended without a delivery (cancelled or rejected): its customer was told, and its total and lines stay as they ended. Delivered is terminal too, but not this. */
export const isCalledOff = (s: OrderState) => s === 'Cancelled' || s === 'Rejected';

export interface Cause {
  eventId: string;
  type: string; // record short name, e.g. FraudCheckPassed
}

export interface TransitionOptions {
  cancelReason?: CancelReason;
  reason?: string;
  /** Narrows the table for this cause, e.g. a hold release applies only to On_Hold orders. */
  onlyFrom?: readonly OrderState[];
}

export type TransitionResult =
  | { applied: true; from: OrderState; to: OrderState; version: number }
  | { applied: false; from: OrderState | null; to: OrderState; version: number | null; reason: string };

/**
 * A guarded transition: one statement updates the order if its state is one TRANSITIONS allows
 * (narrowed by `onlyFrom`), which Postgres re-checks under the row lock against the latest
 * committed row, and writes the history row with it. Refused moves are recorded in the history
 * with their reason, never applied.
 */
export async function transitionOrder(
  trx: Knex.Transaction,
  orderId: string,
  to: OrderState,
  cause: Cause,
  options: TransitionOptions = {},
): Promise<TransitionResult> {
  return (await transitionOrders(trx, [{ orderId, to, cause, options }]))[0]!;
}

/** The states a move to `to` may start from: the table's, narrowed by `onlyFrom`. */
const guardOf = (to: OrderState, options: TransitionOptions = {}): OrderState[] =>
  allowedFrom(to).filter((s) => !options.onlyFrom || options.onlyFrom.includes(s));

export interface TransitionRequest {
  orderId: string;
  to: OrderState;
  cause: Cause;
  options?: TransitionOptions;
}

/**
 * Guarded transitions of many orders, one each, in the same one statement: every move the table
 * allows is applied with its history row; each request it did not move is decided under the row
 * lock, refused with its reason (or applied, if another writer made it allowed meanwhile).
 * Results come back in the requests' order.
 */
export async function transitionOrders(trx: Knex.Transaction, requests: readonly TransitionRequest[]): Promise<TransitionResult[]> {
  if (new Set(requests.map((r) => orderKey(r.orderId))).size !== requests.length) throw new Error('transitionOrders takes one request per order');
  const moved = await moveOrders(trx, requests);
  const results: TransitionResult[] = [];
  for (const [i, r] of requests.entries()) results.push(moved.get(i) ?? (await decideUnmoved(trx, r)));
  return results;
}

/** The applied path's one statement, for any number of orders; answers by request index. */
async function moveOrders(trx: Knex.Transaction, requests: readonly TransitionRequest[]): Promise<Map<number, TransitionResult>> {
  if (requests.length === 0) return new Map();
  // rows are locked in key order, as everywhere else
  const sorted = [...requests.keys()].sort((a, b) => (orderKey(requests[a]!.orderId) < orderKey(requests[b]!.orderId) ? -1 : 1));
  const column = <T>(f: (r: TransitionRequest) => T) => sorted.map((i) => f(requests[i]!));
  const rows = await preparedRows<{ n: number; state: OrderState; version: number }>(trx, 'transition',
    `WITH input AS (
       SELECT * FROM unnest(:orderIds::uuid[], :tos::text[], :froms::text[], :reasons::text[], :setCancels::boolean[], :cancelReasons::text[], :causeEventIds::text[], :causeTypes::text[])
         WITH ORDINALITY AS i(order_id, to_state, from_states, reason, set_cancel, cancel_reason, cause_event_id, cause_type, n)
     ), moved AS (
       UPDATE orders o SET previous_state = o.state, state = i.to_state, version = o.version + 1, updated_at = now(),
              cancel_reason = CASE WHEN i.set_cancel THEN i.cancel_reason ELSE o.cancel_reason END
         FROM input i
        WHERE o.order_id = i.order_id AND o.state = ANY(string_to_array(i.from_states, ','))
       RETURNING i.n, o.order_id, o.previous_state, o.version, i.to_state, i.reason, i.cause_event_id, i.cause_type
     ), logged AS (
       INSERT INTO order_status_history (order_id, from_state, to_state, refused, reason, cause_event_id, cause_type, order_version)
       SELECT order_id, previous_state, to_state, false, reason, cause_event_id, cause_type, version FROM moved
     )
     SELECT n::int AS n, previous_state AS state, version FROM moved`,
    {
      orderIds: column((r) => r.orderId),
      tos: column((r) => r.to),
      froms: column((r) => guardOf(r.to, r.options).join(',')),
      reasons: column((r) => r.options?.reason ?? r.options?.cancelReason ?? null),
      setCancels: column((r) => r.options?.cancelReason !== undefined),
      cancelReasons: column((r) => r.options?.cancelReason ?? null),
      causeEventIds: column((r) => r.cause.eventId),
      causeTypes: column((r) => r.cause.type),
    },
  );
  return new Map(rows.map((m) => {
    const i = sorted[m.n - 1]!;
    return [i, { applied: true, from: m.state, to: requests[i]!.to, version: m.version }];
  }));
}

/**
 * Not moved: refused or unknown, decided under the row lock. A writer that committed between the
 * two statements may have made the move allowed after all; it is then applied.
 */
async function decideUnmoved(trx: Knex.Transaction, r: TransitionRequest): Promise<TransitionResult> {
  const { orderId, to, cause, options = {} } = r;
  for (;;) {
    const row = (await trx('orders').where({ order_id: orderId }).forUpdate().first('state', 'version')) as { state: OrderState; version: number } | undefined;
    if (row && guardOf(to, options).includes(row.state)) {
      const moved = (await moveOrders(trx, [r])).get(0);
      if (moved) return moved;
      continue;
    }
    if (!row) {
      await recordHistory(trx, { orderId, from: null, to, cause, version: 0, refused: true, reason: 'unknown order' });
      return { applied: false, from: null, to, version: null, reason: 'unknown order' };
    }
    const reason = `${row.state} → ${to} is not allowed${options.onlyFrom ? ` for ${cause.type}` : ''}${options.reason ? ` (${options.reason})` : ''}`;
    await recordHistory(trx, { orderId, from: row.state, to, cause, version: row.version, refused: true, reason });
    return { applied: false, from: row.state, to, version: row.version, reason };
  }
}

export interface HistoryEntry {
  orderId: string;
  from: OrderState | null;
  to: OrderState;
  cause: Cause;
  version: number;
  refused: boolean;
  reason: string | null;
}

export const historyRow = (h: HistoryEntry) => ({
  order_id: h.orderId,
  from_state: h.from,
  to_state: h.to,
  refused: h.refused,
  reason: h.reason,
  cause_event_id: h.cause.eventId,
  cause_type: h.cause.type,
  order_version: h.version,
});

export async function recordHistory(trx: Knex.Transaction, h: HistoryEntry): Promise<void> {
  await trx('order_status_history').insert(historyRow(h));
}
