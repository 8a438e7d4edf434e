import { createDb, migrateLatest } from '../../shared/db/knex';

/** Empties a test-owned database: its `public` schema is dropped, recreated and migrated. */
export async function rebuildDatabase(url: string): Promise<void> {
  const db = createDb({ DATABASE_URL: url, DATABASE_POOL_MAX: 1 });
  try {
    await db.raw('DROP SCHEMA IF EXISTS public CASCADE');
    await db.raw('CREATE SCHEMA public');
    await migrateLatest(db);
  } finally {
    await db.destroy();
  }
}
