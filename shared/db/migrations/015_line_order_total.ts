import type { Knex } from 'knex';

/**
 * An added line keeps the order's total as intake priced it with the line (its LineItemAdded's
 * `pricing.totalMinor`), so fraud can score a line it could not score as it arrived (at an order's
 * release, or at the check of an order whose OrderPlaced was replayed) on the total up to that
 * line, as it would have on arrival, instead of on the order's total with every later line. Null
 * for placed lines, refused lines and lines added before this migration (fraud takes the order's
 * total for those). Adding a nullable column is instant.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE order_lines ADD COLUMN order_total_minor bigint');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE order_lines DROP COLUMN order_total_minor');
}
