import type { Knex } from 'knex';

export const SUPPORT_ROLE = 'oms_support_readonly';

/**
 * `support_order_status`: one row per order for support tools that read the database directly —
 * state, cancellation and compensation, money, latest transition and shipment; no customer contact
 * data. The role oms_support_readonly may read this view and the status history, nothing else.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE VIEW support_order_status AS
    SELECT o.order_id, o.channel, o.channel_order_ref, o.customer_id, o.state, o.cancel_reason, o.compensation,
           o.currency, o.subtotal_minor, o.discount_minor, o.tax_minor, o.shipping_minor, o.total_minor,
           o.version, o.created_at, o.updated_at,
           h.to_state AS last_transition_to, h.cause_type AS last_transition_cause, h.at AS last_transition_at,
           s.carrier, s.tracking_number, s.status AS shipment_status
    FROM orders o
    LEFT JOIN LATERAL (SELECT to_state, cause_type, at FROM order_status_history WHERE order_id = o.order_id AND NOT refused ORDER BY id DESC LIMIT 1) h ON true
    LEFT JOIN LATERAL (SELECT carrier, tracking_number, status FROM shipments WHERE order_id = o.order_id ORDER BY dispatched_at DESC LIMIT 1) s ON true`);
  await knex.raw(`DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${SUPPORT_ROLE}') THEN CREATE ROLE ${SUPPORT_ROLE} LOGIN; END IF;
    END $$`);
  await knex.raw(`GRANT USAGE ON SCHEMA public TO ${SUPPORT_ROLE}`);
  await knex.raw(`GRANT SELECT ON support_order_status, order_status_history TO ${SUPPORT_ROLE}`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`REVOKE ALL ON support_order_status, order_status_history FROM ${SUPPORT_ROLE}`);
  await knex.raw('DROP VIEW IF EXISTS support_order_status');
}
