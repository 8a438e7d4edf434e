import { randomUUID } from 'crypto';
import type { Knex } from 'knex';
import { Demand, planReservation, PlannedTake, Shortage, StockRow, sumBySku } from './reservation-plan';

/**
 * Reserves all of `lines` or nothing. Stock rows are locked in (sku, location) order, so several
 * inventory instances reserving overlapping SKUs serialize without deadlocks.
 */
export async function reserve(
  trx: Knex.Transaction,
  orderId: string,
  lineId: string | null,
  lines: Demand[],
): Promise<{ ok: true; reservationId: string; takes: PlannedTake[] } | { ok: false; shortages: Shortage[] }> {
  const skus = sumBySku(lines).map((d) => d.sku);
  const stock = (await trx('stock_levels').whereIn('sku', skus).orderBy(['sku', 'location']).forUpdate().select('sku', 'location', 'on_hand', 'reserved')) as StockRow[];
  const plan = planReservation(lines, stock);
  if (!plan.ok) return plan;
  const reservationId = randomUUID();
  await trx('reservations').insert({ reservation_id: reservationId, order_id: orderId, line_id: lineId, status: 'held' });
  for (const t of plan.takes) {
    await trx('stock_levels').where({ sku: t.sku, location: t.location }).increment('reserved', t.quantity).update({ updated_at: trx.fn.now() });
  }
  await trx('reservation_lines').insert(plan.takes.map((t) => ({ reservation_id: reservationId, ...t })));
  return { ok: true, reservationId, takes: plan.takes };
}

export async function recordRefusal(trx: Knex.Transaction, orderId: string, scope: string, shortages: Shortage[]): Promise<void> {
  await trx('inventory_refusals').insert({ order_id: orderId, scope, lines: JSON.stringify(shortages) }).onConflict(['order_id', 'scope']).ignore();
}

/** Ends every held reservation of the order: released (stock back) or committed (stock left). */
export async function settleHeld(trx: Knex.Transaction, orderId: string, outcome: 'released' | 'committed') {
  const held = (await trx('reservations').where({ order_id: orderId, status: 'held' }).orderBy('reservation_id').forUpdate().select('reservation_id')) as { reservation_id: string }[];
  const ids = held.map((r) => r.reservation_id);
  if (ids.length === 0) return { ids, lines: [] as PlannedTake[] };
  const lines = (await trx('reservation_lines').whereIn('reservation_id', ids).orderBy(['sku', 'location']).select('sku', 'location', 'quantity')) as PlannedTake[];
  const keys = [...new Set(lines.map((l) => `${l.sku}\u0000${l.location}`))].sort();
  for (const key of keys) {
    const [sku, location] = key.split('\u0000') as [string, string];
    const quantity = lines.filter((l) => l.sku === sku && l.location === location).reduce((n, l) => n + l.quantity, 0);
    const change: Record<string, unknown> = { reserved: trx.raw('reserved - ?', [quantity]), updated_at: trx.fn.now() };
    if (outcome === 'committed') change.on_hand = trx.raw('on_hand - ?', [quantity]);
    await trx('stock_levels').where({ sku, location }).update(change);
  }
  await trx('reservations').whereIn('reservation_id', ids).update({ status: outcome, updated_at: trx.fn.now() });
  return { ids, lines };
}

export async function hasReservationOrRefusal(trx: Knex.Transaction, orderId: string, lineId: string | null): Promise<boolean> {
  const scope = lineId ?? 'order';
  const reservation = await trx('reservations').where({ order_id: orderId }).where((q) => (lineId === null ? q.whereNull('line_id') : q.where({ line_id: lineId }))).first('reservation_id');
  const refusal = await trx('inventory_refusals').where({ order_id: orderId, scope }).first('scope');
  return Boolean(reservation || refusal);
}
