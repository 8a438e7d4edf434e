import type { Knex } from 'knex';

/**
 * The added line an authorization was asked for (null for the order's own): a raise the card
 * declined is left out of the next line's ask, so one declined line does not take the lines after
 * it down with it while intake's refusal of it is still on its way.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE payments ADD COLUMN for_line_id text');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE payments DROP COLUMN for_line_id');
}
