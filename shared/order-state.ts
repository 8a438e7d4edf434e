import type { Knex } from 'knex';
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
 * A guarded transition: the row is locked, the move checked against TRANSITIONS, and the update
 * itself repeats the guard (`state = from AND version = v`). Refused moves are recorded in the
 * history with their reason, never applied.
 */
export async function transitionOrder(
  trx: Knex.Transaction,
  orderId: string,
  to: OrderState,
  cause: Cause,
  extra: TransitionOptions = {},
): Promise<TransitionResult> {
  const row = (await trx('orders').where({ order_id: orderId }).forUpdate().first('state', 'version')) as
    | { state: OrderState; version: number }
    | undefined;
  if (!row) {
    await recordHistory(trx, { orderId, from: null, to, cause, version: 0, refused: true, reason: 'unknown order' });
    return { applied: false, from: null, to, version: null, reason: 'unknown order' };
  }
  if (!canTransition(row.state, to) || (extra.onlyFrom && !extra.onlyFrom.includes(row.state))) {
    const reason = `${row.state} → ${to} is not allowed${extra.onlyFrom ? ` for ${cause.type}` : ''}${extra.reason ? ` (${extra.reason})` : ''}`;
    await recordHistory(trx, { orderId, from: row.state, to, cause, version: row.version, refused: true, reason });
    return { applied: false, from: row.state, to, version: row.version, reason };
  }
  const updated = await trx('orders')
    .where({ order_id: orderId, version: row.version })
    .whereIn('state', allowedFrom(to))
    .update({ state: to, version: row.version + 1, updated_at: trx.fn.now(), ...(extra.cancelReason ? { cancel_reason: extra.cancelReason } : {}) });
  if (updated !== 1) throw new Error(`guarded transition of ${orderId} lost its row lock`);
  await recordHistory(trx, { orderId, from: row.state, to, cause, version: row.version + 1, refused: false, reason: extra.reason ?? extra.cancelReason ?? null });
  return { applied: true, from: row.state, to, version: row.version + 1 };
}

export async function recordHistory(
  trx: Knex.Transaction,
  h: { orderId: string; from: OrderState | null; to: OrderState; cause: Cause; version: number; refused: boolean; reason: string | null },
): Promise<void> {
  await trx('order_status_history').insert({
    order_id: h.orderId,
    from_state: h.from,
    to_state: h.to,
    refused: h.refused,
    reason: h.reason,
    cause_event_id: h.cause.eventId,
    cause_type: h.cause.type,
    order_version: h.version,
  });
}
