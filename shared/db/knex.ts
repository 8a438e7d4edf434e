import knex, { Knex } from 'knex';
import { types } from 'pg';
import type { Config } from '../config';
import { migrationSource } from './migration-source';

export type Db = Knex;

// Money and counts are bigint columns; read them as numbers, refusing any that would lose precision.
types.setTypeParser(types.builtins.INT8, (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError(`bigint ${v} exceeds the safe integer range`);
  return n;
});
export type Trx = Knex.Transaction;

export function createDb(config: Pick<Config, 'DATABASE_URL' | 'DATABASE_POOL_MAX'>, applicationName = 'oms'): Db {
  return knex({
    client: 'pg',
    connection: { connectionString: config.DATABASE_URL, application_name: applicationName },
    pool: { min: 0, max: config.DATABASE_POOL_MAX },
    acquireConnectionTimeout: 10000,
  });
}

export async function migrateLatest(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource, tableName: 'knex_migrations' })) as [number, string[]];
  return applied;
}
