import { randomUUID } from 'crypto';
import { newEnvelope } from '../../shared/contracts/envelope';
import type { Trx } from '../../shared/db/knex';
import { serviceRole } from '../../shared/db/migrations/004_service_roles';
import { ConsumerRunner } from '../../shared/runner/consumer-runner';
import type { ServiceDefinition } from '../../shared/runner/handler';
import { dlqName } from '../../shared/topics';
import { aSubmitOrder } from '../support/orders';
import { ALL_TOPICS, SagaDriver } from '../support/saga';
import { eventually, TestStack } from '../support/stack';

const DENIED = /permission denied for table/;

describe('Postgres service roles: each service writes only its own tables', () => {
  const stack = new TestStack({ DATABASE_SERVICE_ROLES: 'true' });
  const saga = new SagaDriver(stack);
  const SERVICES = ['intake', 'fraud', 'inventory', 'payment', 'fulfillment', 'notifications'] as const;
  const WIDGET = `WIDGET-${stack.prefix.slice(1, 9)}`;

  /** Runs `fn` as `role` (SET LOCAL ROLE) in a transaction that is always rolled back. */
  async function as<T>(service: string, fn: (trx: Trx) => Promise<T>): Promise<T> {
    const trx = await stack.db.transaction();
    try {
      await trx.raw('SET LOCAL ROLE ??', [serviceRole(service)]);
      return await fn(trx);
    } finally {
      await trx.rollback();
    }
  }

  const aPayment = (orderId = randomUUID()) => ({
    payment_id: randomUUID(), order_id: orderId, operation: 'authorize', amount_minor: 100, currency: 'USD', method: 'card',
    gateway: 'simulated', status: 'approved', idempotency_key: `authorize:${randomUUID()}`,
  });

  describe('grants, checked directly in SQL', () => {
    it('when inventory writes payments, then it is refused; when it updates stock levels, then that is allowed', async () => {
      await expect(as('inventory', (t) => t('payments').insert(aPayment()))).rejects.toThrow(/permission denied for table payments/);
      await expect(as('inventory', (t) => t('payments').update({ status: 'declined' }))).rejects.toThrow(/permission denied for table payments/);
      const updated = await as('inventory', async (t) => {
        await t('stock_levels').insert({ sku: WIDGET, location: 'main', on_hand: 5 });
        return t('stock_levels').where({ sku: WIDGET }).update({ reserved: 2 });
      });
      expect(updated).toBe(1);
    });

    it('when payment writes stock levels, then it is refused; when it records a payment, then that is allowed', async () => {
      await expect(as('payment', (t) => t('stock_levels').update({ on_hand: 0 }))).rejects.toThrow(/permission denied for table stock_levels/);
      await expect(as('payment', (t) => t('payments').insert(aPayment()).then(() => 'ok'))).resolves.toBe('ok');
    });

    it('when notifications changes an order state or the history, then it is refused; its compensation column is allowed', async () => {
      await expect(as('notifications', (t) => t('orders').update({ state: 'Delivered' }))).rejects.toThrow(/permission denied for table orders/);
      await expect(as('notifications', (t) => t('order_status_history').insert({ order_id: randomUUID(), to_state: 'Delivered', cause_event_id: 'x', cause_type: 'x', order_version: 9 }))).rejects.toThrow(DENIED);
      await expect(as('notifications', (t) => t('orders').where({ order_id: randomUUID() }).update({ compensation: '{}' }))).resolves.toBe(0);
    });

    it('when fraud writes reservations or fulfillment writes payments, then it is refused', async () => {
      await expect(as('fraud', (t) => t('reservations').insert({ reservation_id: randomUUID(), order_id: randomUUID(), status: 'held' }))).rejects.toThrow(/permission denied for table reservations/);
      await expect(as('fulfillment', (t) => t('payments').insert(aPayment()))).rejects.toThrow(/permission denied for table payments/);
    });

    it.each(SERVICES)('when %s deletes status history, then it is refused (the history is append-only for every service)', async (service) => {
      await expect(as(service, (t) => t('order_status_history').delete())).rejects.toThrow(/permission denied for table order_status_history/);
    });
  });

  describe('the saga with DATABASE_SERVICE_ROLES=true', () => {
    const seen: { who: string; refused: string }[] = [];
    /** A runner of its own (own consumer group) named like a fleet service: shows whose privileges its transactions have. */
    const probe: ServiceDefinition = {
      name: 'notifications',
      consumes: ['orderCommands'],
      handlers: {
        'io.oms.commands.ReleaseOrderHold': async (ctx) => {
          const { rows } = (await ctx.trx.raw('SELECT current_user AS who')) as { rows: { who: string }[] };
          const refused = await ctx.trx.transaction((sp) => sp('stock_levels').insert({ sku: WIDGET, location: 'probe', on_hand: 1 })).then(() => '', (e: Error) => e.message);
          seen.push({ who: rows[0]!.who, refused });
        },
      },
    };
    let probeRunner: ConsumerRunner;
    const dlqs = ALL_TOPICS.map((t) => dlqName(stack.topic(t)));

    beforeAll(async () => {
      await stack.provision();
      await stack.watch([...ALL_TOPICS.map((t) => stack.topic(t)), ...dlqs]);
      for (const s of SERVICES) await stack.startService(stack.service(s));
      probeRunner = new ConsumerRunner(probe, { ...stack.platform, config: { ...stack.platform.config, KAFKA_GROUP_PREFIX: `probe-${stack.prefix}` } });
      await probeRunner.start();
      await saga.setStock(WIDGET, 10);
    }, 120000);
    afterAll(async () => {
      await probeRunner?.stop();
      await stack.close();
    });

    const widgetOrder = () => aSubmitOrder({ lines: [{ sku: WIDGET, name: 'Widget', quantity: 2, unitPriceMinor: 1500, weightGrams: 200 }] });

    it('when a runner handles a message, then its transaction runs as oms_<service> and cannot write other tables', async () => {
      await stack.publish('io.oms.commands.ReleaseOrderHold', { ...newEnvelope('test', randomUUID()), orderId: randomUUID(), operator: 'op-probe', note: null });
      const [s] = await eventually('probe ran', async () => seen);
      expect(s).toEqual({ who: 'oms_notifications', refused: expect.stringMatching(/permission denied for table stock_levels/) });
    });

    it('when an order runs the happy path, then it is Delivered, captured, stock committed, history complete, and nothing is dead-lettered', async () => {
      const before = await saga.stock(WIDGET);
      const cmd = widgetOrder();
      await stack.publish('io.oms.commands.SubmitOrder', cmd);
      await saga.waitForState(cmd.orderId, 'Awaiting_Shipment');
      await saga.dispatch(cmd.orderId);
      await saga.waitForState(cmd.orderId, 'Shipped');
      await eventually('captured', async () => (await saga.payments(cmd.orderId)).some((p) => p.operation === 'capture'));
      await eventually('stock committed', async () => (await saga.reservations(cmd.orderId)).every((r) => r.status === 'committed'));
      await saga.deliver(cmd.orderId);
      await saga.waitForState(cmd.orderId, 'Delivered');

      expect((await saga.payments(cmd.orderId)).map((p) => `${p.operation}:${p.status}`)).toEqual(['authorize:approved', 'capture:approved']);
      expect(await saga.stock(WIDGET)).toEqual({ on_hand: before.on_hand - 2, reserved: before.reserved });
      expect(await stack.db('shipments').where({ order_id: cmd.orderId }).first()).toMatchObject({ status: 'delivered' });
      expect((await saga.history(cmd.orderId)).map((h) => `${h.from_state}→${h.to_state}`)).toEqual([
        'null→Pending', 'Pending→Processing', 'Processing→Awaiting_Shipment', 'Awaiting_Shipment→Shipped', 'Shipped→Delivered',
      ]);
      await eventually('four notifications', async () => saga.notificationKinds(cmd.orderId).length === 4);
      await eventually('outbox sent', async () => (await stack.db('outbox').whereIn('topic', ALL_TOPICS.map((t) => stack.topic(t)))).length === 0);
      expect(stack.messages((m) => dlqs.includes(m.topic))).toEqual([]);
    }, 90000);

    it('when lines are added to an order on hold and it is released, then fraud scores and settles them and inventory reserves the cleared one, each as its own role', async () => {
      const cmd = aSubmitOrder({ lines: [{ sku: WIDGET, name: 'Espresso machine', quantity: 1, unitPriceMinor: 250000, weightGrams: 9000 }] });
      await stack.publish('io.oms.commands.SubmitOrder', cmd);
      await saga.waitForState(cmd.orderId, 'On_Hold');
      const add = await saga.addLine(cmd.orderId, { sku: WIDGET, name: 'Widget', quantity: 1, unitPriceMinor: 1500, weightGrams: 200 });
      await eventually('line scored', async () => (await stack.db('fraud_line_checks').where({ order_id: cmd.orderId }).first()) ?? null);
      await saga.releaseHold(cmd.orderId); // fraud reads order_lines; inventory reads fraud_line_checks on the order's pass
      await saga.waitForState(cmd.orderId, 'Awaiting_Shipment');
      expect((await saga.reservations(cmd.orderId)).map((r) => r.line_id).sort()).toEqual([`A-${add.eventId}`, null].sort());
      expect(stack.messages((m) => dlqs.includes(m.topic))).toEqual([]);
    }, 90000);

    it('when an order awaiting shipment is cancelled, then every service records its compensation', async () => {
      const before = await saga.stock(WIDGET);
      const cmd = widgetOrder();
      await stack.publish('io.oms.commands.SubmitOrder', cmd);
      await saga.waitForState(cmd.orderId, 'Awaiting_Shipment');
      await saga.cancel(cmd.orderId);
      const order = await saga.waitForState(cmd.orderId, 'Cancelled');
      expect(order.cancel_reason).toBe('customer_request');
      expect(await saga.waitForCompensation(cmd.orderId)).toEqual({ inventory: 'released', payment: 'voided', warehouse: 'told', customer: 'notified' });
      expect((await saga.payments(cmd.orderId)).map((p) => p.operation)).toEqual(['authorize', 'void']);
      expect(await saga.stock(WIDGET)).toEqual(before);
      expect(stack.messages((m) => dlqs.includes(m.topic))).toEqual([]);
    }, 90000);
  });
});
