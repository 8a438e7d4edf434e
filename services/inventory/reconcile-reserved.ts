import type { Db } from '../../shared/db/knex';

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
 * It locks the stock rows first, in the stock book's order (sku, location), and counts the held
 * lines only then: every reservation, release and commit changes its stock rows in the same
 * transaction, so none can commit between the lock and the count, and none deadlocks with it.
 * The inventory service may keep running; its reservations on these SKUs wait for this
 * transaction (all stock rows without `skus`: a short stop of the whole catalogue).
 */
export async function reconcileReserved(db: Db, opts: { skus?: string[]; dryRun?: boolean } = {}): Promise<ReservedDrift[]> {
  return db.transaction(async (trx) => {
    const stock = trx('stock_levels').orderBy(['sku', 'location']).forUpdate().select('sku', 'location', 'reserved');
    const heldLines = trx('reservation_lines as l')
      .join('reservations as r', 'r.reservation_id', 'l.reservation_id')
      .where('r.status', 'held')
      .groupBy('l.sku', 'l.location')
      .select('l.sku', 'l.location', trx.raw('sum(l.quantity)::bigint AS held'));
    if (opts.skus) {
      stock.whereIn('sku', opts.skus);
      heldLines.whereIn('l.sku', opts.skus);
    }
    const rows = (await stock) as { sku: string; location: string; reserved: string | number }[];
    const held = new Map(((await heldLines) as { sku: string; location: string; held: string }[]).map((h) => [`${h.sku}\u0000${h.location}`, Number(h.held)]));
    const drift = rows
      .map((r) => ({ sku: r.sku, location: r.location, reserved: Number(r.reserved), held: held.get(`${r.sku}\u0000${r.location}`) ?? 0 }))
      .filter((r) => r.reserved !== r.held);
    if (drift.length > 0 && !opts.dryRun) {
      await trx.raw(
        `UPDATE stock_levels s SET reserved = v.held, updated_at = now()
         FROM (VALUES ${drift.map(() => '(?, ?, ?::bigint)').join(', ')}) AS v(sku, location, held) WHERE s.sku = v.sku AND s.location = v.location`,
        drift.flatMap((d) => [d.sku, d.location, d.held]),
      );
    }
    return drift;
  });
}
