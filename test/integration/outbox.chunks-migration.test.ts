import { randomUUID } from 'crypto';
import type { Db } from '../../shared/db/knex';
import { MIGRATIONS, migrationSource } from '../../shared/db/migration-source';
import { writeOutbox } from '../../shared/runner/outbox';
import { unmigratedScratchDatabase } from '../support/database';

/** Migration 006 on a database of its own: unsent per-event rows survive the move to chunks and back. */
describe('outbox chunks migration', () => {
  const scratchDb = unmigratedScratchDatabase('oms_outbox_migration');
  let db: Db;
  const migrations = { migrationSource, tableName: 'knex_migrations' };
  const event = (i: number, topic: string) => ({
    topic, message_key: randomUUID(), message_value: Buffer.from('v'.repeat(i + 1)), event_id: randomUUID(), record_name: 'io.oms.orders.OrderPlaced',
  });
  const perEvent = async () => db('outbox').select('topic', 'message_key', 'message_value', 'event_id', 'record_name').orderBy(['id', 'position']);

  beforeAll(() => {
    db = scratchDb();
  });

  it('when unsent rows are migrated to chunks and back, then every event keeps its order and bytes, and the view cuts chunk values exactly', async () => {
    const before006 = MIGRATIONS.findIndex((m) => m.name === '006_outbox_chunks');
    for (let i = 0; i < before006; i++) await db.migrate.up(migrations); // the outbox is still a row per event
    const unsent = [event(0, 'a'), event(1, 'b'), event(2, 'a')];
    await db('outbox').insert(unsent);

    await db.migrate.up(migrations);
    expect(await db('outbox_chunks').count('* as n').first()).toEqual({ n: 3 });
    expect(await perEvent()).toEqual(unsent);

    const chunk = [event(4, 'c'), event(0, 'd'), event(7, 'c')];
    const [id] = await writeOutbox(db, chunk);
    expect(await db('outbox').where({ id }).orderBy('position').select('topic', 'message_key', 'message_value', 'event_id', 'record_name')).toEqual(chunk);

    await db.migrate.down(migrations);
    expect(await db('outbox').select('topic', 'message_key', 'message_value', 'event_id', 'record_name').orderBy('id')).toEqual([...unsent, ...chunk]);
  }, 60000);

  it('when a chunk row has arrays of different lengths, then Postgres refuses it', async () => {
    await db.migrate.latest(migrations);
    await expect(db('outbox_chunks').insert({
      topics: ['a', 'b'], message_keys: ['k'], event_ids: ['e', 'f'], record_names: ['r', 'r'], message_values: Buffer.from('xy'), value_ends: [1, 2],
    })).rejects.toThrow(/outbox_chunks_parallel/);
  });
});
