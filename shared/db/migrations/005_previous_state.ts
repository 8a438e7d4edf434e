import type { Knex } from 'knex';
import { SERVICE_GRANTS, serviceRole } from './004_service_roles';

/**
 * `orders.previous_state`: the state before the last transition. A transition sets it from the
 * row it locked (`SET previous_state = state, state = :to`) and returns it, so the lock, the
 * guard, the update and the history row are one statement (Postgres 15 has no OLD in RETURNING).
 * Roles that may write the state get the new column too.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => t.text('previous_state'));
  for (const [service, g] of Object.entries(SERVICE_GRANTS)) {
    const writesState = g.also?.some((a) => a.table === 'orders' && a.privileges.includes('UPDATE') && a.columns?.includes('state'));
    if (writesState) await knex.raw(`GRANT UPDATE (previous_state) ON orders TO ${serviceRole(service)}`);
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => t.dropColumn('previous_state'));
}
