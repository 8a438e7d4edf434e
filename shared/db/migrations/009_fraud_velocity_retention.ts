import type { Knex } from 'knex';
import { serviceRole } from './004_service_roles';

/**
 * `fraud_velocity` is kept only as long as a velocity window can look back (fraud's
 * `velocityRetention` sweep), and each order's three keys cost two B-tree entries each instead of
 * three: the surrogate `id` was never read. The unique (kind, value, order_id) the inserts rely
 * on identifies a row instead (for logical replication too): promoting it to the primary key
 * would rebuild it under a lock. A BRIN index on `at` finds the rows past retention (keys arrive
 * roughly in time order, so block ranges stay narrow and the index stays a few pages).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE fraud_velocity DROP COLUMN id');
  await knex.raw('ALTER TABLE fraud_velocity REPLICA IDENTITY USING INDEX fraud_velocity_kind_value_order_id_unique');
  await knex.raw('CREATE INDEX fraud_velocity_at_brin ON fraud_velocity USING brin (at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX fraud_velocity_at_brin');
  await knex.raw('ALTER TABLE fraud_velocity REPLICA IDENTITY DEFAULT');
  await knex.raw('ALTER TABLE fraud_velocity ADD COLUMN id bigserial PRIMARY KEY');
  await knex.raw(`GRANT USAGE ON SEQUENCE fraud_velocity_id_seq TO ${serviceRole('fraud')}`);
}
