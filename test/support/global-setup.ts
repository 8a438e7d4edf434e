import { rebuildDatabase } from './database';
import { TEST_DATABASE_URL } from './env';

/** A clean status store for every test run: the `test` database's public schema is rebuilt. */
export default async function globalSetup(): Promise<void> {
  await rebuildDatabase(TEST_DATABASE_URL);
}
