import type { Knex } from 'knex';
import { queueWrite } from '../../shared/db/pipelined-transaction';
import type { StockRow } from './reservation-plan';

/**
 * Locks stock rows (these SKUs', or all) in the one order every writer takes them, (sku, location):
 * the stock book and the reconciliation never deadlock each other.
 */
export async function lockStockRows(trx: Knex.Transaction, skus?: string[]): Promise<StockRow[]> {
  const q = trx('stock_levels').orderBy(['sku', 'location']).forUpdate().select('sku', 'location', 'on_hand', 'reserved');
  if (skus) q.whereIn('sku', skus);
  return (await q) as StockRow[];
}

/** Writes each row's on_hand and reserved in one statement, queued for the transaction's next statement. */
export async function writeStockRows(trx: Knex.Transaction, rows: StockRow[]): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map(() => '(?, ?, ?::bigint, ?::bigint)').join(', ');
  await queueWrite(trx, trx.raw(
    `UPDATE stock_levels s SET on_hand = v.on_hand, reserved = v.reserved, updated_at = now()
     FROM (VALUES ${values}) AS v(sku, location, on_hand, reserved) WHERE s.sku = v.sku AND s.location = v.location`,
    rows.flatMap((r) => [r.sku, r.location, r.on_hand, r.reserved]),
  ));
}

export const stockRowKey = (r: { sku: string; location: string }) => `${r.sku}\u0000${r.location}`;
