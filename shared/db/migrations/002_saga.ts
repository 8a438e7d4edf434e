import type { Knex } from 'knex';

/** Tables of the saga steps: fraud, inventory, payment instruments, fulfillment, notifications. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => {
    t.text('payment_token'); // gateway token of the instrument, never a card number
    t.text('billing_country');
  });
  await knex.schema.alterTable('order_lines', (t) => {
    t.text('origin').notNullable().defaultTo('placed').checkIn(['placed', 'added']);
  });
  // fraud
  await knex.schema.createTable('fraud_velocity', (t) => {
    t.bigIncrements('id');
    t.text('kind').notNullable(); // customer, email, payment_token
    t.text('value').notNullable();
    t.uuid('order_id').notNullable();
    t.timestamp('at', { useTz: true }).notNullable();
    t.unique(['kind', 'value', 'order_id']);
    t.index(['kind', 'value', 'at']);
  });
  await knex.schema.createTable('fraud_checks', (t) => {
    t.uuid('order_id').primary();
    t.integer('score').notNullable();
    t.text('decision').notNullable().checkIn(['passed', 'review', 'failed', 'released']);
    t.jsonb('reasons').notNullable();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // inventory
  await knex.schema.createTable('stock_levels', (t) => {
    t.text('sku').notNullable();
    t.text('location').notNullable();
    t.primary(['sku', 'location']);
    t.integer('on_hand').notNullable();
    t.integer('reserved').notNullable().defaultTo(0);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('ALTER TABLE stock_levels ADD CONSTRAINT stock_levels_non_negative CHECK (on_hand >= 0 AND reserved >= 0)');
  await knex.schema.createTable('reservations', (t) => {
    t.uuid('reservation_id').primary();
    t.uuid('order_id').notNullable().index();
    t.text('line_id'); // null: the order's lines at placement; set: one added line
    t.text('status').notNullable().checkIn(['held', 'released', 'committed']);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('CREATE UNIQUE INDEX reservations_one_per_scope ON reservations (order_id, coalesce(line_id, \'\'))');
  await knex.schema.createTable('reservation_lines', (t) => {
    t.uuid('reservation_id').notNullable().references('reservations.reservation_id');
    t.text('sku').notNullable();
    t.text('location').notNullable();
    t.integer('quantity').notNullable();
    t.primary(['reservation_id', 'sku', 'location']);
  });
  await knex.schema.createTable('inventory_refusals', (t) => {
    t.uuid('order_id').notNullable();
    t.text('scope').notNullable(); // 'order' or the added line id
    t.primary(['order_id', 'scope']);
    t.jsonb('lines').notNullable();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // fulfillment
  await knex.schema.createTable('fulfillments', (t) => {
    t.uuid('fulfillment_id').primary();
    t.uuid('order_id').notNullable().unique();
    t.text('status').notNullable().checkIn(['requested', 'cancelled', 'shipped']);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // notifications
  await knex.schema.createTable('notifications', (t) => {
    t.uuid('notification_id').primary();
    t.uuid('order_id').notNullable();
    t.text('kind').notNullable();
    t.unique(['order_id', 'kind']);
    t.text('channel').notNullable();
    t.text('recipient').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['notifications', 'fulfillments', 'inventory_refusals', 'reservation_lines', 'reservations', 'stock_levels', 'fraud_checks', 'fraud_velocity']) {
    await knex.schema.dropTableIfExists(t);
  }
  await knex.schema.alterTable('order_lines', (t) => t.dropColumn('origin'));
  await knex.schema.alterTable('orders', (t) => {
    t.dropColumn('payment_token');
    t.dropColumn('billing_country');
  });
}
