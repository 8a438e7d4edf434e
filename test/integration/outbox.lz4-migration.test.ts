import { randomUUID } from 'crypto';
import type { Db } from '../../shared/db/knex';
import { MIGRATIONS, migrationSource } from '../../shared/db/migration-source';
import { type OutboxMessage, writeOutbox } from '../../shared/runner/outbox';
import { unmigratedScratchDatabase } from '../support/database';

/** Migration 010 on a database of its own: outbox rows compressed with lz4 from then on, every byte read back, and back to pglz on the way down. */
describe('outbox lz4 migration', () => {
  const scratchDb = unmigratedScratchDatabase('oms_outbox_lz4');
  let db: Db;
  const migrations = { migrationSource, tableName: 'knex_migrations' };
  // 200 events of a few kB in all, compressible as Avro records are (repeated names, ids and codes)
  const chunk = (): OutboxMessage[] => Array.from({ length: 200 }, () => ({
    topic: 'oms.order-events', message_key: randomUUID(), event_id: randomUUID(), record_name: 'io.oms.orders.OrderPlaced',
    message_value: Buffer.from(`\u0000\u0000\u0000\u0000\u0007${randomUUID()} OrderPlaced intake EUR standard DE Berlin ${randomUUID()}`),
  }));
  const compressionOf = async (id: string) =>
    (await db.raw('SELECT pg_column_compression(message_values) AS compression FROM outbox_chunks WHERE id = ?', [id])).rows[0].compression as string | null;
  const readBack = async (id: string) =>
    db('outbox').where({ id }).orderBy('position').select('topic', 'message_key', 'message_value', 'event_id', 'record_name');

  beforeAll(() => {
    db = scratchDb();
  });

  it('when the outbox is migrated, then new chunks are compressed with lz4 (or stored uncompressed without it), older ones stay pglz, and both read back byte for byte', async () => {
    const hasLz4 = (await db.raw("SELECT 'lz4' = ANY(enumvals) AS lz4 FROM pg_settings WHERE name = 'default_toast_compression'")).rows[0].lz4 as boolean;
    const before010 = MIGRATIONS.findIndex((m) => m.name === '010_outbox_lz4');
    for (let i = 0; i < before010; i++) await db.migrate.up(migrations);
    const older = chunk();
    const [olderId] = await writeOutbox(db, older);
    expect(await compressionOf(olderId!)).toBe('pglz');

    await db.migrate.up(migrations);
    const newer = chunk();
    const [newerId] = await writeOutbox(db, newer);
    expect(await compressionOf(newerId!)).toBe(hasLz4 ? 'lz4' : null);
    expect(await readBack(olderId!)).toEqual(older);
    expect(await readBack(newerId!)).toEqual(newer);

    await db.migrate.down(migrations);
    const [afterDownId] = await writeOutbox(db, chunk());
    expect(await compressionOf(afterDownId!)).toBe('pglz');
    expect(await readBack(newerId!)).toEqual(newer);
  }, 60000);
});
