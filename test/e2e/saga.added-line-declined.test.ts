import { aSubmitOrder } from '../support/orders';
import { ALL_TOPICS, SagaDriver } from '../support/saga';
import { eventually, TestStack } from '../support/stack';

/**
 * An added line whose raised authorization the card declines is refused, and the order goes on
 * with its placed lines: nothing cancelled, the line's stock released, the warehouse asked for the
 * rest, the capture what was shipped. The simulated gateway's tok_limit_<minor> is a card with a
 * credit limit: the placed lines fit in it, the raise does not.
 */
describe('an added line whose raised authorization is declined', () => {
  const stack = new TestStack();
  const saga = new SagaDriver(stack);
  const LAMP = `LAMP-${stack.prefix.slice(1, 9)}`;
  const BULB = `BULB-${stack.prefix.slice(1, 9)}`;
  let payment: Awaited<ReturnType<TestStack['startService']>>;
  let fulfillment: Awaited<ReturnType<TestStack['startService']>>;
  const groups = ['intake', 'inventory', 'payment', 'notifications', 'fraud', 'fulfillment'].map((s) => `g-${stack.prefix}-${s}`);

  beforeAll(async () => {
    await stack.provision();
    await stack.watch(ALL_TOPICS.map((t) => stack.topic(t)));
    for (const s of ['intake', 'fraud', 'inventory', 'notifications'] as const) await stack.startService(stack.service(s));
    await saga.setStock(LAMP, 20);
    await saga.setStock(BULB, 10);
  }, 120000);
  afterAll(() => stack.close());

  it('when the card\'s limit covers the order but not the added line, then only the line is refused, its stock released, and the order ships and is captured without it', async () => {
    // 2 × 3000 + CA tax 8.25 % = 6495 (shipping free from 5000); the bulbs 4 × 1000 + tax = 4330; the card's limit is 7000
    const cmd = aSubmitOrder({ lines: [{ sku: LAMP, name: 'Lamp', quantity: 2, unitPriceMinor: 3000, weightGrams: 1200 }], payment: { method: 'card', token: 'tok_limit_7000', billingCountry: 'US' } });
    payment = await stack.startService(stack.service('payment'));
    await stack.publish('io.oms.commands.SubmitOrder', cmd);
    await eventually('authorized', async () => (await saga.payments(cmd.orderId)).length === 1);
    await stack.stopService(payment); // the raise waits while fulfillment sees the line reserved and not covered

    const add = await saga.addLine(cmd.orderId, { sku: BULB, name: 'Bulb', quantity: 4, unitPriceMinor: 1000, weightGrams: 100 });
    const lineId = `A-${add.eventId}`;
    await eventually('line reserved', async () => (await saga.reservations(cmd.orderId)).length === 2);
    expect((await saga.stock(BULB))!.reserved).toBe(4);
    fulfillment = await stack.startService(stack.service('fulfillment'));
    await eventually('fulfillment saw the reservations', async () => {
      await saga.waitForIdle([`g-${stack.prefix}-fulfillment`]);
      return true;
    });
    expect((await saga.order(cmd.orderId)).state).toBe('Processing'); // the line is reserved and not yet paid for

    payment = await stack.startService(stack.service('payment'));
    await saga.waitForState(cmd.orderId, 'Awaiting_Shipment');
    const line = await eventually('line refused', async () => (await stack.db('order_lines').where({ order_id: cmd.orderId, line_id: lineId, status: 'refused' }).first()) ?? null);
    expect(line.refused_reason).toBe("payment declined: credit_limit_exceeded: the card's limit of 7000 minor units would be exceeded");
    const order = await saga.order(cmd.orderId);
    expect(order.total_minor).toBe(6495);
    expect(order.cancel_reason).toBeNull();
    expect((await saga.payments(cmd.orderId)).map((p) => `${p.operation}:${p.status}`)).toEqual(['authorize:approved', 'authorize:declined']);
    const [refused] = await eventually('LineItemRefused', async () => saga.events(cmd.orderId, 'io.oms.orders.LineItemRefused'));
    expect(refused!.value).toMatchObject({ lineId, sku: BULB, reasonCode: 'payment_declined', totalMinor: 6495, currency: 'USD' });
    const [notice] = await eventually('line notice', async () => saga.events(cmd.orderId, 'io.oms.notifications.CustomerNotification').filter((m) => m.value!.kind === 'LINE_REFUSED'));
    expect(notice!.value!.body).toBe(`Hello Ada Lovelace, we could not add ${BULB} to your order ${cmd.channelOrderRef}: the payment for it was declined. Your order goes on without it, and you are not charged for it.`);
    const [requested] = await eventually('FulfillmentRequested', async () => saga.events(cmd.orderId, 'io.oms.fulfillment.FulfillmentRequested'));
    expect(requested!.value!.lines).toEqual([{ sku: LAMP, name: 'Lamp', quantity: 2 }]);
    await eventually('line stock released', async () => (await saga.stock(BULB))!.reserved === 0);
    expect(await saga.reservations(cmd.orderId)).toEqual([{ status: 'held', line_id: null }, { status: 'released', line_id: lineId }]);

    await saga.dispatch(cmd.orderId);
    await saga.deliver(cmd.orderId);
    await saga.waitForState(cmd.orderId, 'Delivered');
    await eventually('captured', async () => (await saga.payments(cmd.orderId)).some((p) => p.operation === 'capture'));
    expect((await saga.payments(cmd.orderId)).map((p) => `${p.operation}:${p.status}:${p.amount_minor}`)).toEqual(['authorize:approved:6495', 'authorize:declined:4330', 'capture:approved:6495']);
    await eventually('stock committed', async () => (await saga.stock(LAMP))!.reserved === 0);
    expect(await saga.stock(LAMP)).toEqual({ on_hand: 18, reserved: 0 });
    expect(await saga.stock(BULB)).toEqual({ on_hand: 10, reserved: 0 });

    await saga.waitForIdle(groups);
    const effects = { ...(await saga.effects(cmd.orderId)), lines: await stack.db('order_lines').where({ order_id: cmd.orderId }).select('line_id', 'status') };
    expect(await saga.redeliverAll(cmd.orderId, groups)).toEqual(expect.arrayContaining(['LineItemRefused', 'PaymentDeclined', 'InventoryReleased']));
    expect({ ...(await saga.effects(cmd.orderId)), lines: await stack.db('order_lines').where({ order_id: cmd.orderId }).select('line_id', 'status') }).toEqual(effects);
    expect(await saga.stock(BULB)).toEqual({ on_hand: 10, reserved: 0 });
  }, 120_000);

  it('when two added lines wait for their raises and only the first fits the card, then the first is paid for and the second alone refused', async () => {
    await stack.stopService(fulfillment); // the order rests in Processing, authorized, while its lines are added
    // 6495 authorized; a lamp's raise (300 + tax) fits the limit of 7001, the bulbs' (400 + tax) on top of it do not
    const cmd = aSubmitOrder({ lines: [{ sku: LAMP, name: 'Lamp', quantity: 2, unitPriceMinor: 3000, weightGrams: 1200 }], payment: { method: 'card', token: 'tok_limit_7001', billingCountry: 'US' } });
    await stack.publish('io.oms.commands.SubmitOrder', cmd);
    await eventually('authorized', async () => (await saga.payments(cmd.orderId)).length === 1);
    await stack.stopService(payment); // both lines are reserved before payment asks for either raise

    const first = await saga.addLine(cmd.orderId, { sku: LAMP, name: 'Lamp', quantity: 1, unitPriceMinor: 300, weightGrams: 100 });
    const second = await saga.addLine(cmd.orderId, { sku: BULB, name: 'Bulb', quantity: 1, unitPriceMinor: 400, weightGrams: 100 });
    await eventually('both lines reserved', async () => (await saga.reservations(cmd.orderId)).length === 3);
    payment = await stack.startService(stack.service('payment'));
    fulfillment = await stack.startService(stack.service('fulfillment'));
    await saga.waitForState(cmd.orderId, 'Awaiting_Shipment');

    const lineStatus = async () => Object.fromEntries((await stack.db('order_lines').where({ order_id: cmd.orderId, origin: 'added' }).select('line_id', 'status')).map((l) => [l.line_id, l.status]));
    await eventually('second line refused', async () => (await lineStatus())[`A-${second.eventId}`] === 'refused');
    expect(await lineStatus()).toEqual({ [`A-${first.eventId}`]: 'active', [`A-${second.eventId}`]: 'refused' });
    const payments = await saga.payments(cmd.orderId);
    expect(payments.map((p) => `${p.operation}:${p.status}`)).toEqual(['authorize:approved', 'authorize:approved', 'authorize:declined']);
    const order = await saga.order(cmd.orderId);
    expect(payments.filter((p) => p.status === 'approved').reduce((sum, p) => sum + Number(p.amount_minor), 0)).toBe(order.total_minor);
    const [requested] = await eventually('FulfillmentRequested', async () => saga.events(cmd.orderId, 'io.oms.fulfillment.FulfillmentRequested'));
    expect(requested!.value!.lines).toEqual([{ sku: LAMP, name: 'Lamp', quantity: 2 }, { sku: LAMP, name: 'Lamp', quantity: 1 }]);
    await eventually('the bulb released', async () => (await saga.stock(BULB))!.reserved === 0);
  }, 120_000);

  it('when a line is reserved before payment authorizes the order and the card takes the order but not the line, then the order is authorized and only the line refused', async () => {
    await stack.stopService(payment); // the placed lines and the added line are both held before payment sees either
    // a card of its own (the simulated gateway sums a token's authorizations): 6495 fits 7002, 6495 + 4330 does not
    const cmd = aSubmitOrder({ lines: [{ sku: LAMP, name: 'Lamp', quantity: 2, unitPriceMinor: 3000, weightGrams: 1200 }], payment: { method: 'card', token: 'tok_limit_7002', billingCountry: 'US' } });
    await stack.publish('io.oms.commands.SubmitOrder', cmd);
    await eventually('placed lines reserved', async () => (await saga.reservations(cmd.orderId)).length === 1);
    const add = await saga.addLine(cmd.orderId, { sku: BULB, name: 'Bulb', quantity: 4, unitPriceMinor: 1000, weightGrams: 100 });
    const lineId = `A-${add.eventId}`;
    await eventually('line reserved', async () => (await saga.reservations(cmd.orderId)).length === 2);

    payment = await stack.startService(stack.service('payment'));
    await saga.waitForState(cmd.orderId, 'Awaiting_Shipment');
    await eventually('line refused', async () => (await stack.db('order_lines').where({ order_id: cmd.orderId, line_id: lineId, status: 'refused' }).first()) ?? null);
    expect((await saga.payments(cmd.orderId)).map((p) => `${p.operation}:${p.status}:${p.amount_minor}`)).toEqual(['authorize:approved:6495', 'authorize:declined:4330']);
    expect(await saga.order(cmd.orderId)).toMatchObject({ total_minor: 6495, cancel_reason: null });
    await eventually('the bulbs released', async () => (await saga.stock(BULB))!.reserved === 0);
  }, 120_000);

  it('when the added line makes the order cheaper (free shipping from 5000) and the card covers only the cheaper total, then the order is authorized for it with both lines', async () => {
    await stack.stopService(payment);
    // the lamp alone: 4950 + tax 408 + shipping 599 = 5957; with a 100 bulb: 5050 + tax 417, shipping free = 5467; the card's limit is 5500
    const cmd = aSubmitOrder({ lines: [{ sku: LAMP, name: 'Lamp', quantity: 1, unitPriceMinor: 4950, weightGrams: 100 }], payment: { method: 'card', token: 'tok_limit_5500', billingCountry: 'US' } });
    await stack.publish('io.oms.commands.SubmitOrder', cmd);
    await eventually('placed lines reserved', async () => (await saga.reservations(cmd.orderId)).length === 1);
    await saga.addLine(cmd.orderId, { sku: BULB, name: 'Bulb', quantity: 1, unitPriceMinor: 100, weightGrams: 100 });
    await eventually('line reserved', async () => (await saga.reservations(cmd.orderId)).length === 2);

    payment = await stack.startService(stack.service('payment'));
    await saga.waitForState(cmd.orderId, 'Awaiting_Shipment');
    expect((await saga.payments(cmd.orderId)).map((p) => `${p.operation}:${p.status}:${p.amount_minor}`)).toEqual(['authorize:approved:5467']);
    expect(await saga.order(cmd.orderId)).toMatchObject({ total_minor: 5467, cancel_reason: null });
  }, 120_000);
});
