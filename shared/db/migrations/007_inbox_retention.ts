import type { Knex } from 'knex';
import { SERVICE_ROLES } from './004_service_roles';

/**
 * The inbox is pruned by age (InboxPruner): a BRIN index on `processed_at` (rows arrive in time
 * order, so block ranges stay narrow and the index stays a few pages), and every service role may
 * delete inbox rows.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX inbox_processed_at_brin ON inbox USING brin (processed_at)');
  for (const role of SERVICE_ROLES) await knex.raw(`GRANT DELETE ON inbox TO ${role}`);
}

export async function down(knex: Knex): Promise<void> {
  for (const role of SERVICE_ROLES) await knex.raw(`REVOKE DELETE ON inbox FROM ${role}`);
  await knex.raw('DROP INDEX inbox_processed_at_brin');
}
