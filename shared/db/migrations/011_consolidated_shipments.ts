import type { Knex } from 'knex';

/**
 * A shipment id names a parcel, and a warehouse may put several orders in one (or reuse its ids):
 * a shipment row is an order's part of a shipment, keyed by (order_id, shipment_id). Keyed by
 * shipment_id alone, the second order's dispatch failed its insert and was dead-lettered, the
 * order left Awaiting_Shipment with its stock held. The primary key leads with order_id, so the
 * separate order_id index goes.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE shipments DROP CONSTRAINT shipments_pkey');
  await knex.raw('ALTER TABLE shipments ADD PRIMARY KEY (order_id, shipment_id)');
  await knex.raw('DROP INDEX shipments_order_id_index');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX shipments_order_id_index ON shipments (order_id)');
  await knex.raw('ALTER TABLE shipments DROP CONSTRAINT shipments_pkey');
  await knex.raw('ALTER TABLE shipments ADD PRIMARY KEY (shipment_id)');
}
