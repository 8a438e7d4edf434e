import type { Knex } from 'knex';
import { serviceRole } from './004_service_roles';

/**
 * Fraud scores an added line too: the order as it stands with the line, against the same rules.
 * `fraud_checks.facts` keeps what the order's own check scored (customer, countries, the velocity
 * counts of its window), so a line is scored on the same facts with the new total; an order
 * checked before this migration has none, and its lines are scored on what the order row holds.
 * `fraud_line_checks` is each line's outcome. The release of an order on hold clears the lines
 * added to it by then (fraud reads `order_lines` for them), and inventory reserves the lines
 * fraud has cleared when the order's own pass reaches it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE fraud_checks ADD COLUMN facts jsonb');
  await knex.schema.createTable('fraud_line_checks', (t) => {
    t.uuid('order_id').notNullable();
    t.text('line_id').notNullable();
    t.primary(['order_id', 'line_id']);
    t.integer('score').notNullable();
    t.text('decision').notNullable().checkIn(['passed', 'review', 'failed', 'released']);
    t.jsonb('reasons').notNullable();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON fraud_line_checks TO ${serviceRole('fraud')}`);
  await knex.raw(`GRANT SELECT ON order_lines TO ${serviceRole('fraud')}`);
  await knex.raw(`GRANT SELECT ON fraud_line_checks TO ${serviceRole('inventory')}`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`REVOKE SELECT ON order_lines FROM ${serviceRole('fraud')}`);
  await knex.schema.dropTable('fraud_line_checks');
  await knex.raw('ALTER TABLE fraud_checks DROP COLUMN facts');
}
