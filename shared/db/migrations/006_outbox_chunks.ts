import type { Knex } from 'knex';
import { createEventOutbox } from './001_platform';
import { SERVICE_ROLES } from './004_service_roles';

/** One event of a chunk, with its 1-based position; the view `outbox` shows a row per event. */
const OUTBOX_VIEW = `CREATE VIEW outbox AS
  SELECT c.id, e.position, e.topic, e.message_key,
         substring(c.message_values FROM coalesce(c.value_ends[e.position - 1], 0) + 1
                   FOR c.value_ends[e.position] - coalesce(c.value_ends[e.position - 1], 0)) AS message_value,
         e.event_id, e.record_name, c.created_at
  FROM outbox_chunks c
  CROSS JOIN LATERAL unnest(c.topics, c.message_keys, c.event_ids, c.record_names)
    WITH ORDINALITY AS e(topic, message_key, event_id, record_name, position)`;

/**
 * The outbox becomes one row per committed transaction instead of one per event: a chunk's events
 * as parallel arrays in send order, their values in one `bytea` cut at `value_ends`. The runner
 * wrote and deleted 13 outbox rows per order; now it writes and deletes one per transaction, and
 * builds one six-parameter insert instead of a 5×N one (bench A/B in the README). The view
 * `outbox` keeps the per-event picture for operators (`SELECT count(*), min(created_at) FROM
 * outbox`). Unsent rows of the old table move over, one chunk each, in their order: stop the
 * fleet before migrating (an old fleet would write to a table that is gone).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE TABLE outbox_chunks (
    id bigserial PRIMARY KEY,
    topics text[] NOT NULL,
    message_keys text[] NOT NULL,
    event_ids text[] NOT NULL,
    record_names text[] NOT NULL,
    message_values bytea NOT NULL,
    value_ends integer[] NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT outbox_chunks_parallel CHECK (
      cardinality(topics) > 0 AND cardinality(message_keys) = cardinality(topics) AND cardinality(event_ids) = cardinality(topics)
      AND cardinality(record_names) = cardinality(topics) AND cardinality(value_ends) = cardinality(topics)
      AND value_ends[cardinality(value_ends)] = length(message_values))
  )`);
  await knex.raw(`INSERT INTO outbox_chunks (topics, message_keys, event_ids, record_names, message_values, value_ends, created_at)
    SELECT ARRAY[topic], ARRAY[message_key], ARRAY[event_id], ARRAY[record_name], message_value, ARRAY[length(message_value)], created_at
    FROM outbox ORDER BY id`);
  await knex.schema.dropTable('outbox');
  await knex.raw(OUTBOX_VIEW);
  for (const role of SERVICE_ROLES) {
    // UPDATE for the relay's FOR UPDATE lock; the view is for operators, no service reads it
    await knex.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON outbox_chunks TO ${role}`);
    await knex.raw(`GRANT USAGE ON SEQUENCE outbox_chunks_id_seq TO ${role}`);
  }
}

/** Back to a row per event (unsent events kept, in order). */
export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER VIEW outbox RENAME TO outbox_chunk_events');
  await createEventOutbox(knex);
  await knex.raw(`INSERT INTO outbox (topic, message_key, message_value, event_id, record_name, created_at)
    SELECT topic, message_key, message_value, event_id, record_name, created_at FROM outbox_chunk_events ORDER BY id, position`);
  await knex.raw('DROP VIEW outbox_chunk_events');
  await knex.schema.dropTable('outbox_chunks');
  for (const role of SERVICE_ROLES) {
    await knex.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON outbox TO ${role}`);
    await knex.raw(`GRANT USAGE ON SEQUENCE outbox_id_seq TO ${role}`);
  }
}
