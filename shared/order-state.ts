import type { Knex } from 'knex';
import { prepared } from './db/knex';
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
 * A guarded transition in one statement: the update is guarded by the states TRANSITIONS allows
 * (narrowed by `onlyFrom`) and, under Postgres's row lock, re-checks that guard against the latest
 * committed row; the history row is written in the same statement, so an applied move costs one
 * round trip. Refused moves are recorded in the history with their reason, never applied.
 */
export async function transitionOrder(
  trx: Knex.Transaction,
  orderId: string,
  to: OrderState,
  cause: Cause,
  extra: TransitionOptions = {},
): Promise<TransitionResult> {
  const from = guardOf(to, extra);
  for (;;) {
    const moved = await moveOrder(trx, orderId, to, from, cause, extra.reason ?? extra.cancelReason ?? null, extra.cancelReason);
    if (moved) return { applied: true, from: moved.state, to, version: moved.version };
    // Not moved: refused or unknown, decided under the row lock. A writer that committed between the
    // two statements may have made the move allowed after all; the next attempt then applies it.
    const row = (await trx('orders').where({ order_id: orderId }).forUpdate().first('state', 'version')) as { state: OrderState; version: number } | undefined;
    if (row && from.includes(row.state)) continue;
    if (!row) {
      await recordHistory(trx, { orderId, from: null, to, cause, version: 0, refused: true, reason: 'unknown order' });
      return { applied: false, from: null, to, version: null, reason: 'unknown order' };
    }
    const reason = `${row.state} → ${to} is not allowed${extra.onlyFrom ? ` for ${cause.type}` : ''}${extra.reason ? ` (${extra.reason})` : ''}`;
    await recordHistory(trx, { orderId, from: row.state, to, cause, version: row.version, refused: true, reason });
    return { applied: false, from: row.state, to, version: row.version, reason };
  }
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
 * Guarded transitions of many orders, one each, in one statement: every move the table allows is
 * applied with its history row; each request it did not move goes through `transitionOrder`,
 * which records the refusal (or applies it, if another writer made it allowed meanwhile).
 * Results come back in the requests' order.
 */
export async function transitionOrders(trx: Knex.Transaction, requests: readonly TransitionRequest[]): Promise<TransitionResult[]> {
  if (new Set(requests.map((r) => r.orderId.toLowerCase())).size !== requests.length) throw new Error('transitionOrders takes one request per order');
  if (requests.length === 0) return [];
  // rows are locked in key order, as everywhere else
  const sorted = [...requests.keys()].sort((a, b) => (requests[a]!.orderId.toLowerCase() < requests[b]!.orderId.toLowerCase() ? -1 : 1));
  const column = <T>(f: (r: TransitionRequest) => T) => sorted.map((i) => f(requests[i]!));
  const { rows } = (await prepared('transition_many', trx.raw(
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
  ))) as { rows: { n: number; state: OrderState; version: number }[] };
  const moved = new Map(rows.map((r) => [sorted[r.n - 1]!, r]));
  const results: TransitionResult[] = [];
  for (const [i, r] of requests.entries()) {
    const m = moved.get(i);
    results.push(m ? { applied: true, from: m.state, to: r.to, version: m.version } : await transitionOrder(trx, r.orderId, r.to, r.cause, r.options));
  }
  return results;
}

/** The applied path's one statement; returns the state moved from and the new version, or nothing. */
async function moveOrder(
  trx: Knex.Transaction, orderId: string, to: OrderState, from: OrderState[], cause: Cause, reason: string | null, cancelReason: CancelReason | undefined,
): Promise<{ state: OrderState; version: number } | undefined> {
  const { rows } = (await prepared('transition', trx.raw(
    `WITH moved AS (
       UPDATE orders SET previous_state = state, state = :to, version = version + 1, updated_at = now(),
              cancel_reason = CASE WHEN :setCancel THEN :cancelReason ELSE cancel_reason END
       WHERE order_id = :orderId AND state = ANY(:from)
       RETURNING order_id, previous_state, version
     ), logged AS (
       INSERT INTO order_status_history (order_id, from_state, to_state, refused, reason, cause_event_id, cause_type, order_version)
       SELECT order_id, previous_state, :to, false, :reason, :causeEventId, :causeType, version FROM moved
     )
     SELECT previous_state AS state, version FROM moved`,
    { orderId, to, from, reason, setCancel: cancelReason !== undefined, cancelReason: cancelReason ?? null, causeEventId: cause.eventId, causeType: cause.type },
  ))) as { rows: { state: OrderState; version: number }[] };
  return rows[0];
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
