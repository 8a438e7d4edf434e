import type { Transact } from './knex';

/** Rows one transaction deletes: short transactions beside the writers of the same table. */
export const DELETE_BATCH = 5000;

/**
 * Deletes the rows of `table` that `where` selects, `batchSize` per transaction until none are
 * left, and returns how many: pruning a large table in short transactions instead of one long
 * one that would hold its locks and bloat. `where` is SQL with `?` placeholders for `bindings`.
 */
export async function deleteInBatches(transact: Transact, table: string, where: string, bindings: readonly unknown[], batchSize = DELETE_BATCH): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = (await transact((trx) =>
      trx.raw(`DELETE FROM ${table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${table} WHERE ${where} LIMIT ?))`, [...bindings, batchSize] as never),
    )) as { rowCount: number };
    total += rowCount;
    if (rowCount < batchSize) return total;
  }
}
