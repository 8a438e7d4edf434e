import { randomBytes } from 'crypto';
import type { Db } from '../../shared/db/knex';
import { TEST_DATABASE_URL } from './env';

/**
 * An empty database of its own on the server of `baseUrl` (the test database's unless said; not
 * migrated): its URL, and `drop` to remove it with any connections left. `admin` creates it.
 */
export async function scratchDatabase(admin: Db, prefix: string, baseUrl = TEST_DATABASE_URL): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await admin.raw(`CREATE DATABASE ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: async () => void (await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)) };
}
