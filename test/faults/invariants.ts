import type { FaultHarness } from './harness';
import { retrying } from '../../bench/traffic';
import { TERMINAL_STATES } from './harness';

export interface Accounting {
  orders: number;
  /** Submitted orders that are missing from the status store or not in a terminal state. */
  lost: number;
  notTerminal: Record<string, number>;
  /** Effects that happened twice: reservations, payment operations, fulfilments, notifications, applied transitions (an added line's reservation, raise and notice are its own). */
  duplicatedEffects: number;
  duplicates: Record<string, number>;
  /** SKUs whose stock does not balance: on-hand ≠ initial − committed, or reserved ≠ open reservations. */
  stockMismatches: number;
  /** Settled orders whose effects contradict their state (Delivered without its total captured, Cancelled still holding stock, a refused line holding stock). */
  inconsistent: Record<string, number>;
  outcome: Record<string, number>;
}

const count = async (h: FaultHarness, sql: string, ids: string[]) =>
  retrying(async () => Number((await h.db.raw(sql, [ids])).rows[0].n));

/** Everything the platform promises about the run's orders, read from the status store. */
export async function account(h: FaultHarness): Promise<Accounting> {
  const ids = h.orderIds;
  const rows = (await retrying(() => h.db('orders').whereIn('order_id', ids).select('order_id', 'state', 'cancel_reason'))) as { order_id: string; state: string; cancel_reason: string | null }[];
  const outcome: Record<string, number> = {};
  const notTerminal: Record<string, number> = {};
  for (const r of rows) {
    const key = `${r.state}${r.cancel_reason ? `:${r.cancel_reason}` : ''}`;
    outcome[key] = (outcome[key] ?? 0) + 1;
    if (!TERMINAL_STATES.includes(r.state)) notTerminal[r.state] = (notTerminal[r.state] ?? 0) + 1;
  }
  const missing = ids.length - rows.length;
  if (missing) notTerminal.missing = missing;

  const any = 'order_id = ANY(?::uuid[])';
  const duplicates = {
    reservations: await count(h, `SELECT count(*) AS n FROM (SELECT order_id FROM reservations WHERE ${any} GROUP BY order_id, coalesce(line_id, '') HAVING count(*) > 1) x`, ids),
    // an authorization per order and per added line's raise; a capture, void or refund per authorization (its key names it)
    payments: await count(h, `SELECT count(*) AS n FROM (SELECT order_id FROM payments WHERE ${any} AND status = 'approved'
                                GROUP BY order_id, operation, CASE WHEN operation = 'authorize' THEN coalesce(for_line_id, '') ELSE idempotency_key END HAVING count(*) > 1) x`, ids),
    fulfillments: await count(h, `SELECT count(*) AS n FROM (SELECT order_id FROM fulfillments WHERE ${any} GROUP BY order_id HAVING count(*) > 1) x`, ids),
    notifications: await count(h, `SELECT count(*) AS n FROM (SELECT order_id FROM notifications WHERE ${any} GROUP BY order_id, kind, about HAVING count(*) > 1) x`, ids),
    transitions: await count(h, `SELECT count(*) AS n FROM (SELECT order_id FROM order_status_history WHERE ${any} AND NOT refused GROUP BY order_id, to_state HAVING count(*) > 1) x`, ids),
  };
  const inconsistent = {
    // one capture per authorization, together exactly the order's total (its refused lines not in it)
    deliveredWithoutTotalCaptured: await count(h, `SELECT count(*) AS n FROM orders o WHERE o.${any} AND o.state = 'Delivered' AND (SELECT coalesce(sum(p.amount_minor), 0) FROM payments p WHERE p.order_id = o.order_id AND p.operation = 'capture' AND p.status = 'approved') <> o.total_minor`, ids),
    deliveredWithPendingLine: await count(h, `SELECT count(*) AS n FROM orders o WHERE o.${any} AND o.state = 'Delivered' AND EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.order_id AND l.status = 'pending')`, ids),
    refusedLineHolding: await count(h, `SELECT count(*) AS n FROM reservations r JOIN order_lines l ON l.order_id = r.order_id AND l.line_id = r.line_id WHERE r.${any} AND r.status <> 'released' AND l.status = 'refused'`, ids),
    deliveredWithoutCommittedStock: await count(h, `SELECT count(*) AS n FROM orders o WHERE o.${any} AND o.state = 'Delivered' AND NOT EXISTS (SELECT 1 FROM reservations r WHERE r.order_id = o.order_id AND r.status = 'committed')`, ids),
    cancelledStillHolding: await count(h, `SELECT count(*) AS n FROM orders o WHERE o.${any} AND o.state = 'Cancelled' AND EXISTS (SELECT 1 FROM reservations r WHERE r.order_id = o.order_id AND r.status = 'held')`, ids),
    cancelledButCaptured: await count(h, `SELECT count(*) AS n FROM orders o WHERE o.${any} AND o.state = 'Cancelled' AND EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.order_id AND p.operation = 'capture' AND p.status = 'approved') AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.order_id AND p.operation = 'refund' AND p.status = 'approved')`, ids),
  };
  const stock = (await retrying(() =>
    h.db.raw(
      `SELECT s.sku, s.on_hand, s.reserved,
              coalesce((SELECT sum(l.quantity) FROM reservation_lines l JOIN reservations r USING (reservation_id) WHERE l.sku = s.sku AND r.status = 'committed'), 0) AS committed,
              coalesce((SELECT sum(l.quantity) FROM reservation_lines l JOIN reservations r USING (reservation_id) WHERE l.sku = s.sku AND r.status = 'held'), 0) AS held
       FROM stock_levels s WHERE s.sku = ANY(?)`,
      [h.skus],
    ),
  )).rows as { sku: string; on_hand: number; reserved: number; committed: number; held: number }[];
  const stockMismatches = stock.filter((s) => Number(s.on_hand) !== h.initialStock - Number(s.committed) || Number(s.reserved) !== Number(s.held)).length + (h.skus.length - stock.length);
  return {
    orders: ids.length,
    lost: Object.values(notTerminal).reduce((a, b) => a + b, 0),
    notTerminal,
    duplicatedEffects: Object.values(duplicates).reduce((a, b) => a + b, 0),
    duplicates,
    stockMismatches,
    inconsistent,
    outcome,
  };
}

/** Seconds from the end of the last fault until orders settled again at half the pre-fault rate. */
export function recoverySeconds(series: { t: number; settled: number }[], faultStartedAt: number, faultEndedAt: number): number | null {
  const rate = (a: { t: number; settled: number }, b: { t: number; settled: number }) => (b.settled - a.settled) / Math.max(0.001, (b.t - a.t) / 1000);
  const before = series.filter((s) => s.t <= faultStartedAt);
  const baseline = before.length >= 2 ? rate(before[0]!, before[before.length - 1]!) : null;
  const after = series.filter((s) => s.t >= faultEndedAt);
  for (let i = 2; i < after.length; i++) {
    const r = rate(after[i - 2]!, after[i]!);
    if (baseline === null || r >= baseline / 2) return Math.round((after[i - 2]!.t - faultEndedAt) / 100) / 10;
  }
  const total = series[series.length - 1]?.settled;
  const first = after.find((s) => s.settled === total);
  return first ? Math.round((first.t - faultEndedAt) / 100) / 10 : null;
}
