import { createDb, type Db, migrateLatest } from '../../shared/db/knex';
import { TEST_DATABASE_URL } from './env';
import { scratchDatabase } from './scratch-database';
import { TestStack } from './stack';

export { scratchDatabase };

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

/**
 * A test stack on a migrated database of its own, for a test file that breaks its database or
 * must not see other files' rows. `close` stops the stack and drops the database.
 */
export async function stackOnScratchDatabase(prefix: string, overrides: Record<string, string> = {}): Promise<{ stack: TestStack; close(): Promise<void> }> {
  const admin = createDb({ DATABASE_URL: TEST_DATABASE_URL, DATABASE_POOL_MAX: 1 });
  const scratch = await scratchDatabase(admin, prefix);
  await rebuildDatabase(scratch.url);
  const stack = new TestStack({ DATABASE_URL: scratch.url, ...overrides });
  return {
    stack,
    close: async () => {
      await stack.close();
      await scratch.drop();
      await admin.destroy();
    },
  };
}

/**
 * An empty database of the calling test file's own, no migration run (for migration tests): made
 * before the file's tests, dropped after them. Returns the way to reach it from inside a test or hook.
 */
export function unmigratedScratchDatabase(prefix: string): () => Db {
  const admin = createDb({ DATABASE_URL: TEST_DATABASE_URL, DATABASE_POOL_MAX: 1 });
  let scratch: { url: string; drop(): Promise<void> } | undefined;
  let db: Db | undefined;
  beforeAll(async () => {
    scratch = await scratchDatabase(admin, prefix);
    db = createDb({ DATABASE_URL: scratch.url, DATABASE_POOL_MAX: 2 });
  });
  afterAll(async () => {
    await db?.destroy();
    await scratch?.drop();
    await admin.destroy();
  });
  return () => db!;
}
