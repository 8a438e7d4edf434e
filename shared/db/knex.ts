import knex, { Knex } from 'knex';
import { types } from 'pg';
import type { Config } from '../config';
import { migrationSource } from './migration-source';
import { PipelinedPgClient, pipelinedTransaction } from './pipelined-transaction';
import type { NamedStatementsConfig } from './prepared-statement';

export type Db = Knex;

// Money and counts are bigint columns; read them as numbers, refusing any that would lose precision.
types.setTypeParser(types.builtins.INT8, (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError(`bigint ${v} exceeds the safe integer range`);
  return n;
});
export type Trx = Knex.Transaction;

/** Opens a transaction and runs `fn` in it. */
export type Transact = <T>(fn: (trx: Trx) => Promise<T>) => Promise<T>;

/**
 * Transactions that run as `role` (`SET LOCAL ROLE`; none when role is null): the transaction has
 * that role's privileges only, and the connection goes back to the pool unchanged. They are
 * pipelined: BEGIN rides with the first statement, and a statement marked with `commitAfter`
 * carries the COMMIT (shared/db/pipelined-transaction.ts).
 */
export function transactAs(db: Db, role: string | null): Transact {
  const config = pipelinedTransaction(role);
  return <T>(fn: (trx: Trx) => Promise<T>) => db.transaction<T>(fn, config);
}

export function createDb(config: Pick<Config, 'DATABASE_URL' | 'DATABASE_POOL_MAX'> & Partial<Pick<Config, 'DATABASE_RANDOM_PAGE_COST' | 'DATABASE_NAMED_STATEMENTS'>>, applicationName = 'oms'): Db {
  const randomPageCost = config.DATABASE_RANDOM_PAGE_COST;
  const knexConfig: Knex.Config & NamedStatementsConfig = {
    client: PipelinedPgClient,
    namedStatements: config.DATABASE_NAMED_STATEMENTS ?? true,
    connection: {
      connectionString: config.DATABASE_URL,
      application_name: applicationName,
      ...(randomPageCost != null ? { options: `-c random_page_cost=${randomPageCost}` } : {}),
    },
    pool: { min: 0, max: config.DATABASE_POOL_MAX },
    acquireConnectionTimeout: 10000,
  };
  return knex(knexConfig);
}

export async function migrateLatest(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource, tableName: 'knex_migrations' })) as [number, string[]];
  return applied;
}
