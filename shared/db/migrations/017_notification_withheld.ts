import type { Knex } from 'knex';

/**
 * A notification the customer was not sent, though its event was handled: why (the limit of
 * LINE_REFUSED notices per order, NOTIFY_LINE_REFUSED_PER_ORDER). The row still claims its
 * (order, kind, about), so a redelivered event is not sent later either, and support sees what
 * the customer was not told. Null for every notification sent. Adding a nullable column is instant.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE notifications ADD COLUMN withheld_reason text');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE notifications DROP COLUMN withheld_reason');
}
