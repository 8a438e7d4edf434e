import { aSubmitOrder } from '../support/orders';
import { ALL_TOPICS, SagaDriver } from '../support/saga';
import { eventually, TestStack } from '../support/stack';

/**
 * Services are started one by one, so orders rest in the state under test: Pending (no fraud
 * yet), Processing with stock held and payment authorized (no fulfillment yet).
 */
describe('order saga with services started step by step', () => {
  const stack = new TestStack();
  const saga = new SagaDriver(stack);
  const LAMP = `LAMP-${stack.prefix.slice(1, 9)}`;
  const RARE = `RARE-${stack.prefix.slice(1, 9)}`;

  beforeAll(async () => {
    await stack.provision();
    await stack.watch(ALL_TOPICS.map((t) => stack.topic(t)));
    for (const s of ['intake', 'inventory', 'payment', 'notifications'] as const) await stack.startService(stack.service(s));
    await saga.setStock(LAMP, 20);
    await saga.setStock(RARE, 1);
  }, 120000);
  afterAll(() => stack.close());

  const lampOrder = () => aSubmitOrder({ lines: [{ sku: LAMP, name: 'Lamp', quantity: 2, unitPriceMinor: 3000, weightGrams: 1200 }] });

  it('when an order is cancelled while Pending, then it is Cancelled with nothing held and the customer notified', async () => {
    const cmd = lampOrder();
    await stack.publish('io.oms.commands.SubmitOrder', cmd);
    await saga.waitForState(cmd.orderId, 'Pending');
    await saga.cancel(cmd.orderId);
    const order = await saga.waitForState(cmd.orderId, 'Cancelled');
    expect(order.cancel_reason).toBe('customer_request');
    expect(await saga.waitForCompensation(cmd.orderId)).toEqual({ inventory: 'nothing_held', payment: 'nothing_authorized', warehouse: 'not_requested', customer: 'notified' });
    const [cancelled] = await eventually('OrderCancelled', async () => saga.events(cmd.orderId, 'io.oms.orders.OrderCancelled'));
    expect(cancelled!.value).toMatchObject({ reason: 'customer_request', previousState: 'Pending' });
  });

  describe('with fraud running (orders rest in Processing, authorized, until fulfillment starts)', () => {
    beforeAll(async () => {
      await stack.startService(stack.service('fraud'));
    });

    async function authorizedOrder() {
      const cmd = lampOrder();
      await stack.publish('io.oms.commands.SubmitOrder', cmd);
      await saga.waitForState(cmd.orderId, 'Processing');
      await eventually('authorized', async () => (await saga.payments(cmd.orderId)).length === 1);
      return cmd;
    }

    it('when an order is cancelled in Processing, then its stock is released and its authorization voided', async () => {
      const before = await saga.stock(LAMP);
      const cmd = await authorizedOrder();
      expect((await saga.stock(LAMP))!.reserved).toBe(before.reserved + 2);
      await saga.cancel(cmd.orderId);
      await saga.waitForState(cmd.orderId, 'Cancelled');
      await eventually('voided and released', async () => {
        const o = await saga.order(cmd.orderId);
        return o.compensation.payment === 'voided' && o.compensation.inventory === 'released' ? o : null;
      });
      expect(await saga.stock(LAMP)).toEqual(before);
      // 2 × 3000 + CA tax 8.25 % (495); standard shipping is free from 5000.
      expect((await saga.payments(cmd.orderId)).map((p) => `${p.operation}:${p.amount_minor}`)).toEqual(['authorize:6495', 'void:6495']);
    });

    it('when a line is added before fulfillment, then it is re-priced, reserved, the authorization raised by the difference, and the warehouse gets every line', async () => {
      const cmd = await authorizedOrder();
      const first = (await saga.payments(cmd.orderId))[0]!.amount_minor;
      const add = await saga.addLine(cmd.orderId, { sku: LAMP, name: 'Lamp', quantity: 1, unitPriceMinor: 3000, weightGrams: 1200 });
      const lineId = `A-${add.eventId}`;

      await eventually('line active', async () => (await stack.db('order_lines').where({ order_id: cmd.orderId, line_id: lineId, status: 'active' }).first()) ?? null);
      await eventually('second authorization', async () => (await saga.payments(cmd.orderId)).length === 2);
      const order = await saga.order(cmd.orderId);
      const payments = await saga.payments(cmd.orderId);
      expect(payments.map((p) => p.operation)).toEqual(['authorize', 'authorize']);
      expect(payments[1]!.amount_minor).toBe(order.total_minor - first);
      expect(order.total_minor).toBeGreaterThan(first);
      expect(await saga.reservations(cmd.orderId)).toEqual([{ status: 'held', line_id: null }, { status: 'held', line_id: lineId }]);
      const [added] = await eventually('LineItemAdded', async () => saga.events(cmd.orderId, 'io.oms.orders.LineItemAdded'));
      expect(added!.value!.pricing).toMatchObject({ totalMinor: order.total_minor });

      const rare = await saga.addLine(cmd.orderId, { sku: RARE, name: 'Rare', quantity: 5, unitPriceMinor: 100, weightGrams: 10 });
      const refused = await eventually('short line refused', async () => (await stack.db('order_lines').where({ order_id: cmd.orderId, line_id: `A-${rare.eventId}`, status: 'refused' }).first()) ?? null);
      expect(refused.refused_reason).toContain(`${RARE}: insufficient_stock (wanted 5, available 1)`);
      expect((await saga.order(cmd.orderId)).total_minor).toBe(order.total_minor);

      await stack.startService(stack.service('fulfillment'));
      await saga.waitForState(cmd.orderId, 'Awaiting_Shipment');
      const [requested] = await eventually('FulfillmentRequested', async () => saga.events(cmd.orderId, 'io.oms.fulfillment.FulfillmentRequested'));
      expect(requested!.value!.lines).toEqual([{ sku: LAMP, name: 'Lamp', quantity: 2 }, { sku: LAMP, name: 'Lamp', quantity: 1 }]);

      const groups = ['intake', 'inventory', 'payment', 'notifications', 'fraud', 'fulfillment'].map((s) => `g-${stack.prefix}-${s}`);
      await saga.waitForIdle(groups);
      const effects = { ...(await saga.effects(cmd.orderId)), lines: await stack.db('order_lines').where({ order_id: cmd.orderId }).select('line_id', 'status') };
      expect(await saga.redeliverAll(cmd.orderId, groups)).toEqual(expect.arrayContaining(['AddLineItem', 'LineItemAdded', 'InventoryReserved', 'InventoryUnavailable', 'PaymentAuthorized']));
      expect({ ...(await saga.effects(cmd.orderId)), lines: await stack.db('order_lines').where({ order_id: cmd.orderId }).select('line_id', 'status') }).toEqual(effects);
    });
  });
});
