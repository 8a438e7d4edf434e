import { createDb, migrateLatest } from '../../shared/db/knex';
import { TEST_DATABASE_URL } from './env';

/** A clean status store for every test run: the `test` database's public schema is rebuilt. */
export default async function globalSetup(): Promise<void> {
  const db = createDb({ DATABASE_URL: TEST_DATABASE_URL, DATABASE_POOL_MAX: 2 });
  try {
    await db.raw('DROP SCHEMA IF EXISTS public CASCADE');
    await db.raw('CREATE SCHEMA public');
    await migrateLatest(db);
  } finally {
    await db.destroy();
  }
}
