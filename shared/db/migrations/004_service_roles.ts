import type { Knex } from 'knex';

/** The Postgres role a service's runner transactions take (`SET LOCAL ROLE`), e.g. oms_inventory. */
export const serviceRole = (service: string) => `oms_${service}`;

type Privilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

/** Columns of `orders` an OrderState transition writes (shared/order-state.ts). */
const TRANSITION_COLUMNS = ['state', 'version', 'updated_at', 'cancel_reason'];
/** The column recordCompensation writes (shared/order-store.ts). */
const COMPENSATION_COLUMNS = ['compensation'];

interface ServiceGrants {
  /** Tables its handlers (and the shared modules they call) read. */
  read: string[];
  /** Tables it owns: INSERT, UPDATE, DELETE. */
  own: string[];
  /** Narrower writes on tables owned by others. */
  also?: { table: string; privileges: Privilege[]; columns?: string[] }[];
  /** Sequences behind bigIncrements ids it inserts. */
  sequences?: string[];
}

const transitions = [{ table: 'order_status_history', privileges: ['INSERT'] as Privilege[] }];
const HISTORY_SEQ = 'order_status_history_id_seq';

/**
 * What each service may do, worked out from its handlers: `trx('table')` and raw SQL in
 * services/<name>/, plus the shared modules they call (order-state transitions write orders and
 * order_status_history; order-store's lockOrders is SELECT … FOR UPDATE, which needs UPDATE on at
 * least one column of orders; recordCompensation writes orders.compensation). A new table in a
 * later migration needs its grants there too.
 */
export const SERVICE_GRANTS: Record<string, ServiceGrants> = {
  intake: {
    read: ['orders', 'order_lines', 'order_price_components'],
    own: ['orders', 'order_lines', 'order_price_components'],
    also: transitions,
    sequences: [HISTORY_SEQ],
  },
  fraud: {
    read: ['orders', 'fraud_velocity', 'fraud_checks'],
    own: ['fraud_velocity', 'fraud_checks'],
    also: [{ table: 'orders', privileges: ['UPDATE'], columns: TRANSITION_COLUMNS }, ...transitions],
    sequences: ['fraud_velocity_id_seq', HISTORY_SEQ],
  },
  inventory: {
    read: ['orders', 'order_lines', 'stock_levels', 'reservations', 'reservation_lines', 'inventory_refusals'],
    own: ['stock_levels', 'reservations', 'reservation_lines', 'inventory_refusals'],
    also: [{ table: 'orders', privileges: ['UPDATE'], columns: COMPENSATION_COLUMNS }],
  },
  payment: {
    read: ['orders', 'order_lines', 'reservations', 'inventory_refusals', 'payments'],
    own: ['payments'],
    also: [{ table: 'orders', privileges: ['UPDATE'], columns: COMPENSATION_COLUMNS }],
  },
  fulfillment: {
    read: ['orders', 'order_lines', 'reservations', 'inventory_refusals', 'payments', 'fulfillments', 'shipments'],
    own: ['fulfillments', 'shipments'],
    also: [{ table: 'orders', privileges: ['UPDATE'], columns: [...TRANSITION_COLUMNS, ...COMPENSATION_COLUMNS] }, ...transitions],
    sequences: [HISTORY_SEQ],
  },
  notifications: {
    read: ['orders', 'notifications'],
    own: ['notifications'],
    also: [{ table: 'orders', privileges: ['UPDATE'], columns: COMPENSATION_COLUMNS }],
  },
};

/** Every service's role (oms_intake, oms_fraud, …). */
export const SERVICE_ROLES = Object.keys(SERVICE_GRANTS).map(serviceRole);

/**
 * One NOLOGIN role per service (oms_intake, oms_fraud, …) that may write only its own tables.
 * Every role also writes the runner's inbox and outbox (the outbox publisher locks rows FOR UPDATE
 * and deletes them). Roles are cluster-wide and several databases run this migration, possibly at
 * the same time: creation and membership tolerate an existing role. The connecting user is made a
 * member of every role so the runner can `SET LOCAL ROLE` (a fleet logging in as another user
 * needs `GRANT oms_<service> TO <user>`).
 */
export async function up(knex: Knex): Promise<void> {
  for (const [service, g] of Object.entries(SERVICE_GRANTS)) {
    const role = serviceRole(service);
    await knex.raw(`DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role} NOLOGIN; END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$`);
    await knex.raw(`DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
                       WHERE r.rolname = '${role}' AND m.member = (SELECT oid FROM pg_roles WHERE rolname = current_user)) THEN
          EXECUTE format('GRANT %I TO %I', '${role}', current_user);
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$`);
    await knex.raw(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await knex.raw(`GRANT SELECT, INSERT ON inbox TO ${role}`);
    await knex.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON outbox TO ${role}`);
    await knex.raw(`GRANT USAGE ON SEQUENCE outbox_id_seq TO ${role}`);
    await knex.raw(`GRANT SELECT ON ${g.read.join(', ')} TO ${role}`);
    await knex.raw(`GRANT INSERT, UPDATE, DELETE ON ${g.own.join(', ')} TO ${role}`);
    for (const a of g.also ?? []) {
      const cols = a.columns ? ` (${a.columns.join(', ')})` : '';
      await knex.raw(`GRANT ${a.privileges.map((p) => `${p}${cols}`).join(', ')} ON ${a.table} TO ${role}`);
    }
    if (g.sequences?.length) await knex.raw(`GRANT USAGE ON SEQUENCE ${g.sequences.join(', ')} TO ${role}`);
  }
}

/** Revokes this database's grants; the roles stay (other databases of the cluster may use them). */
export async function down(knex: Knex): Promise<void> {
  for (const role of SERVICE_ROLES) {
    await knex.raw(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${role}`);
    await knex.raw(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${role}`);
    await knex.raw(`REVOKE USAGE ON SCHEMA public FROM ${role}`);
  }
}
