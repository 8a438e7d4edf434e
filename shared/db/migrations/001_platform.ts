import type { Knex } from 'knex';
import { ORDER_STATES } from '../../order-state';

/** The status store: orders, lines, price breakdown, status history, payments, shipments, inbox, outbox. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('orders', (t) => {
    t.uuid('order_id').primary();
    t.text('channel').notNullable();
    t.text('channel_order_ref').notNullable();
    t.unique(['channel', 'channel_order_ref'], { indexName: 'orders_channel_ref_unique' });
    t.text('customer_id').notNullable();
    t.jsonb('customer').notNullable();
    t.jsonb('shipping_address').notNullable();
    t.jsonb('billing_address');
    t.jsonb('delivery_preferences');
    t.text('currency').notNullable();
    t.text('shipping_method').notNullable();
    t.jsonb('promotion_codes').notNullable().defaultTo('[]');
    t.text('payment_method').notNullable();
    t.text('state').notNullable().checkIn([...ORDER_STATES]);
    t.text('cancel_reason');
    t.jsonb('rejection_reasons');
    t.jsonb('compensation').notNullable().defaultTo('{}');
    t.bigInteger('subtotal_minor').notNullable().defaultTo(0);
    t.bigInteger('discount_minor').notNullable().defaultTo(0);
    t.bigInteger('tax_minor').notNullable().defaultTo(0);
    t.bigInteger('shipping_minor').notNullable().defaultTo(0);
    t.bigInteger('total_minor').notNullable().defaultTo(0);
    t.text('tracking_token').notNullable().unique();
    t.integer('version').notNullable().defaultTo(1);
    t.uuid('correlation_id').notNullable();
    t.timestamp('placed_at', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['state', 'created_at']);
    t.index(['customer_id']);
  });
  await knex.schema.createTable('order_lines', (t) => {
    t.uuid('order_id').notNullable().references('orders.order_id').onDelete('CASCADE');
    t.text('line_id').notNullable();
    t.primary(['order_id', 'line_id']);
    t.text('sku').notNullable();
    t.text('name').notNullable();
    t.integer('quantity').notNullable();
    t.bigInteger('unit_price_minor').notNullable();
    t.bigInteger('discount_minor').notNullable().defaultTo(0);
    t.bigInteger('line_total_minor').notNullable();
    t.integer('weight_grams').notNullable().defaultTo(0);
    t.text('status').notNullable().defaultTo('active').checkIn(['active', 'pending', 'refused']);
    t.text('refused_reason');
    t.timestamp('added_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('order_price_components', (t) => {
    t.uuid('order_id').notNullable().references('orders.order_id').onDelete('CASCADE');
    t.integer('seq').notNullable();
    t.primary(['order_id', 'seq']);
    t.text('kind').notNullable(); // subtotal, line_discount, promotion, tax, shipping, total
    t.text('code');
    t.text('description').notNullable();
    t.bigInteger('amount_minor').notNullable();
  });
  await knex.schema.createTable('order_status_history', (t) => {
    t.bigIncrements('id');
    t.uuid('order_id').notNullable().index();
    t.text('from_state');
    t.text('to_state').notNullable();
    t.boolean('refused').notNullable().defaultTo(false);
    t.text('reason');
    t.text('cause_event_id').notNullable();
    t.text('cause_type').notNullable();
    t.integer('order_version').notNullable();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('payments', (t) => {
    t.uuid('payment_id').primary();
    t.uuid('order_id').notNullable().index();
    t.text('operation').notNullable().checkIn(['authorize', 'capture', 'void', 'refund']);
    t.bigInteger('amount_minor').notNullable();
    t.text('currency').notNullable();
    t.text('method').notNullable();
    t.text('gateway').notNullable();
    t.text('external_transaction_id');
    t.text('status').notNullable();
    t.text('idempotency_key').notNullable().unique();
    t.text('failure_reason');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('shipments', (t) => {
    t.text('shipment_id').primary();
    t.uuid('order_id').notNullable().index();
    t.text('carrier').notNullable();
    t.text('tracking_number').notNullable();
    t.text('status').notNullable();
    t.timestamp('dispatched_at', { useTz: true }).notNullable();
    t.timestamp('delivered_at', { useTz: true });
  });
  await knex.schema.createTable('inbox', (t) => {
    t.text('consumer').notNullable();
    t.text('event_id').notNullable();
    t.primary(['consumer', 'event_id']);
    t.timestamp('processed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await createEventOutbox(knex);
}

/** The outbox as a row per event (until migration 006, and again after its `down`). */
export function createEventOutbox(knex: Knex): Promise<void> {
  return knex.schema.createTable('outbox', (t) => {
    t.bigIncrements('id');
    t.text('topic').notNullable();
    t.text('message_key').notNullable();
    t.binary('message_value').notNullable();
    t.text('event_id').notNullable();
    t.text('record_name').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['outbox', 'inbox', 'shipments', 'payments', 'order_status_history', 'order_price_components', 'order_lines', 'orders']) {
    await knex.schema.dropTableIfExists(t);
  }
}
