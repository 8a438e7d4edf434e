import type { Db } from '../../shared/db/knex';
import type { StockRow } from './reservation-plan';
import { lockStockRows, stockRowKey, writeStockRows } from './stock-rows';

/** A stock row whose reserved count differed from its held reservation lines. */
export interface ReservedDrift {
  sku: string;
  location: string;
  reserved: number;
  held: number;
}

/**
 * Rebuilds `stock_levels.reserved` from the reservation rows (DESIGN: "a reconciliation rebuilds
 * reserved counts from the reservation rows"): for every stock row, the units of its held
 * reservation lines. Returns the rows that differed; corrects them unless `dryRun`.
 *
 * It locks the stock rows first, in the stock book's order (lockStockRows), and counts the held
 * lines only then: every reservation, release and commit changes its stock rows in the same
 * transaction, so none can commit between the lock and the count, and none deadlocks with it.
 * The inventory service may keep running; its reservations on these SKUs wait for this
 * transaction (all stock rows without `skus`: a short stop of the whole catalogue).
 */
export async function reconcileReserved(db: Db, opts: { skus?: string[]; dryRun?: boolean } = {}): Promise<ReservedDrift[]> {
  return db.transaction(async (trx) => {
    const rows = await lockStockRows(trx, opts.skus);
    const heldLines = trx('reservation_lines as l')
      .join('reservations as r', 'r.reservation_id', 'l.reservation_id')
      .where('r.status', 'held')
      .groupBy('l.sku', 'l.location')
      .select('l.sku', 'l.location', trx.raw('sum(l.quantity)::bigint AS held'));
    if (opts.skus) heldLines.whereIn('l.sku', opts.skus);
    const held = new Map(((await heldLines) as { sku: string; location: string; held: string }[]).map((h) => [stockRowKey(h), Number(h.held)]));
    const heldOf = (r: StockRow) => held.get(stockRowKey(r)) ?? 0;
    const drifted = rows.filter((r) => r.reserved !== heldOf(r));
    if (!opts.dryRun) await writeStockRows(trx, drifted.map((r) => ({ ...r, reserved: heldOf(r) })));
    return drifted.map((r) => ({ sku: r.sku, location: r.location, reserved: r.reserved, held: heldOf(r) }));
  });
}
