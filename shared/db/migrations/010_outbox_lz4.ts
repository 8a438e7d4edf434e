import type { Knex } from 'knex';

const OUTBOX_COLUMNS = ['topics', 'message_keys', 'event_ids', 'record_names', 'message_values', 'value_ends'];

/**
 * The outbox's columns are compressed with lz4 instead of Postgres's default pglz, or stored
 * uncompressed where the server was built without lz4. A row lives for milliseconds (written,
 * sent, deleted), but a chunk's values pass the 2 kB at which Postgres compresses them, and pglz
 * did so on every insert: a backend spent 2.3× the CPU on a 200-event row with pglz than with lz4
 * (README Benchmark). Rows written before keep their compression and read back as ever.
 */
export async function up(knex: Knex): Promise<void> {
  const lz4 = (await toastCompressions(knex)).includes('lz4');
  for (const column of OUTBOX_COLUMNS) {
    await knex.raw(`ALTER TABLE outbox_chunks ALTER COLUMN ${column} ${lz4 ? 'SET COMPRESSION lz4' : 'SET STORAGE EXTERNAL'}`);
  }
}

export async function down(knex: Knex): Promise<void> {
  // a server older than Postgres 14 has no column compression to reset
  const compressions = await toastCompressions(knex);
  for (const column of OUTBOX_COLUMNS) {
    await knex.raw(`ALTER TABLE outbox_chunks ALTER COLUMN ${column} SET STORAGE EXTENDED${compressions.length > 0 ? `, ALTER COLUMN ${column} SET COMPRESSION default` : ''}`);
  }
}

/** The TOAST compressions this server was built with: pg_settings lists only those (none before Postgres 14). */
async function toastCompressions(knex: Knex): Promise<string[]> {
  const { rows } = (await knex.raw("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")) as { rows: { enumvals: string[] }[] };
  return rows[0]?.enumvals ?? [];
}
