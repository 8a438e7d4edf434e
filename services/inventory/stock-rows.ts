import type { Knex } from 'knex';
import { queueWrite } from '../../shared/db/pipelined-transaction';
import { preparedRows } from '../../shared/db/prepared-statement';
import type { StockRow } from './reservation-plan';

/**
 * Locks stock rows (these SKUs', or all) in the one order every writer takes them, (sku, location):
 * the stock book (lockStockRowsOf, below) and the reconciliation never deadlock each other.
 */
export async function lockStockRows(trx: Knex.Transaction, skus?: string[]): Promise<StockRow[]> {
  const q = trx('stock_levels').orderBy(['sku', 'location']).forUpdate().select('sku', 'location', 'on_hand', 'reserved');
  if (skus) q.whereIn('sku', skus);
  return (await q) as StockRow[];
}

/**
 * The held reservation lines of the given orders (`:settleOrders`), as a FROM … WHERE fragment:
 * the stock book reads them, and lockStockRowsOf locks their stock rows.
 */
export const HELD_LINES_OF_ORDERS = `reservation_lines l JOIN reservations r ON r.reservation_id = l.reservation_id
  WHERE r.order_id = ANY(:settleOrders::uuid[]) AND r.status = 'held'`;

/**
 * lockStockRows for the stock book, as a prepared statement that can carry the reads before it:
 * the rows of `skus` and of the held lines of `settleOrders`, whose SKUs the statement finds
 * itself. `= ANY(ARRAY(…))`: the SKUs are gathered once, and the rows found through their key.
 */
export async function lockStockRowsOf(trx: Knex.Transaction, skus: string[], settleOrders: string[]): Promise<StockRow[]> {
  return preparedRows<StockRow>(trx, 'inventory_lock_stock',
    `SELECT sku, location, on_hand, reserved FROM stock_levels
      WHERE sku = ANY(ARRAY(SELECT unnest(:skus::text[]) UNION SELECT l.sku FROM ${HELD_LINES_OF_ORDERS}))
      ORDER BY sku, location
      FOR UPDATE`,
    { skus, settleOrders },
  );
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

/**
 * Inserts the rows a warehouse's count created in this chunk (a SKU at a location not seen before),
 * queued like writeStockRows. Unlocked when read, so another transaction may have inserted one
 * meanwhile (only while a partition changes hands: counts are keyed by SKU): the count's on-hand
 * wins, and the units reserved on both sides are added up.
 */
export async function insertCountedStockRows(trx: Knex.Transaction, rows: StockRow[]): Promise<void> {
  if (rows.length === 0) return;
  await queueWrite(trx, trx.raw(
    `INSERT INTO stock_levels (sku, location, on_hand, reserved)
     SELECT * FROM unnest(?::text[], ?::text[], ?::int[], ?::int[])
     ON CONFLICT (sku, location) DO UPDATE SET on_hand = EXCLUDED.on_hand, reserved = stock_levels.reserved + EXCLUDED.reserved, updated_at = now()`,
    [rows.map((r) => r.sku), rows.map((r) => r.location), rows.map((r) => r.on_hand), rows.map((r) => r.reserved)],
  ));
}

export const stockRowKey = (r: { sku: string; location: string }) => `${r.sku}\u0000${r.location}`;
