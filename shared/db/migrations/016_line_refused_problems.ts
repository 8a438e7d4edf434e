import type { Knex } from 'knex';

/**
 * A line refused as its AddLineItem arrived, because it failed validation or pricing, keeps each
 * problem (field, code, message) as LineItemRefused.problems says them, so support tools and the
 * API can tell a bad SKU from an unpriceable line without parsing `refused_reason`. Null for every
 * other line. Adding a nullable column is instant.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE order_lines ADD COLUMN refused_problems jsonb');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE order_lines DROP COLUMN refused_problems');
}
