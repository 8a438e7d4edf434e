import type { Knex } from 'knex';

/**
 * Inventory's hold expiry looks for held reservations older than the hold time every minute. Only
 * orders in flight hold stock, so a partial index keeps that look small on any number of
 * reservations; each reservation adds one entry, and its release or commit leaves it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw("CREATE INDEX reservations_held_since ON reservations (created_at) WHERE status = 'held'");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX reservations_held_since');
}
