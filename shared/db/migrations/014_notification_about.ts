import type { Knex } from 'knex';

/**
 * A notification is unique per order, kind and what in the order it is about: '' for the order
 * itself (placed, shipped, …), an added line's id for LINE_REFUSED, so each refused line is told
 * once and a redelivery is not told again. Adding the column with a constant default is instant;
 * the new unique index reads the table once.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw("ALTER TABLE notifications ADD COLUMN about text NOT NULL DEFAULT ''");
  await knex.raw('ALTER TABLE notifications ADD CONSTRAINT notifications_order_id_kind_about_unique UNIQUE (order_id, kind, about)');
  await knex.raw('ALTER TABLE notifications DROP CONSTRAINT notifications_order_id_kind_unique');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("DELETE FROM notifications WHERE about <> ''");
  await knex.raw('ALTER TABLE notifications ADD CONSTRAINT notifications_order_id_kind_unique UNIQUE (order_id, kind)');
  await knex.raw('ALTER TABLE notifications DROP CONSTRAINT notifications_order_id_kind_about_unique');
  await knex.raw('ALTER TABLE notifications DROP COLUMN about');
}
