import { randomUUID } from 'crypto';
import { newEnvelope } from '../../shared/contracts/envelope';
import { aSubmitOrder } from '../support/orders';
import { ALL_TOPICS, SagaDriver } from '../support/saga';
import { eventually, TestStack } from '../support/stack';

/** The whole fleet on the real broker, registry and Postgres; the test plays channel, warehouse and operator. */
describe('order saga, all services running', () => {
  const stack = new TestStack();
  const saga = new SagaDriver(stack);
  const SERVICES = ['intake', 'fraud', 'inventory', 'payment', 'fulfillment', 'notifications'] as const;
  const sku = (name: string) => `${name}-${stack.prefix.slice(1, 9)}`;
  const MUG = sku('MUG');
  const TEA = sku('TEA');
  const SCARCE = sku('SCARCE');

  const groups = SERVICES.map((s) => `g-${stack.prefix}-${s}`);
  /** Redelivers everything of the order and checks that no effect doubled. */
  async function expectNoDoubleEffects(orderId: string, types: string[]) {
    await saga.waitForIdle(groups); // every first delivery has had its effect
    const effects = await saga.effects(orderId);
    expect(await saga.redeliverAll(orderId, groups)).toEqual(expect.arrayContaining(types));
    expect(await saga.effects(orderId)).toEqual(effects);
  }

  beforeAll(async () => {
    await stack.provision();
    await stack.watch(ALL_TOPICS.map((t) => stack.topic(t)));
    for (const s of SERVICES) await stack.startService(stack.service(s));
    await saga.setStock(MUG, 100);
    await saga.setStock(TEA, 100);
    await saga.setStock(SCARCE, 1);
  }, 120000);
  afterAll(() => stack.close());

  const anOrder = (over: Parameters<typeof aSubmitOrder>[0] = {}) =>
    aSubmitOrder({
      lines: [
        { sku: 'SKU-MUG', name: 'Mug', quantity: 2, unitPriceMinor: 1250, weightGrams: 350 },
        { sku: TEA, name: 'Tea', quantity: 1, unitPriceMinor: 899, weightGrams: 260 },
      ],
      ...over,
    });

  async function toAwaitingShipment(over: Parameters<typeof aSubmitOrder>[0] = {}) {
    const cmd = anOrder({ lines: [{ sku: MUG, name: 'Mug', quantity: 1, unitPriceMinor: 1000, weightGrams: 300 }], ...over });
    await stack.publish('io.oms.commands.SubmitOrder', cmd);
    await saga.waitForState(cmd.orderId, 'Awaiting_Shipment');
    return cmd;
  }

  /** An order of `quantity` units of a SKU of its own with 10 (or `onHand`) in stock, Awaiting_Shipment. */
  async function toAwaitingShipmentOnOwnSku(name: string, quantity: number, over: Parameters<typeof aSubmitOrder>[0] = {}, onHand = 10) {
    const SKU = sku(name);
    await saga.setStock(SKU, onHand);
    const cmd = anOrder({ lines: [{ sku: SKU, name: 'Mug', quantity, unitPriceMinor: 1000, weightGrams: 300 }], ...over });
    await stack.publish('io.oms.commands.SubmitOrder', cmd);
    await saga.waitForState(cmd.orderId, 'Awaiting_Shipment');
    return { cmd, SKU };
  }

  it('when an order with a promotion, tax and shipping runs the happy path, then it is Delivered, authorized then captured, stock committed, four notifications', async () => {
    await saga.setStock('SKU-MUG', 50); // the line-discount rule in config/pricing.json names SKU-MUG
    const before = { mug: await saga.stock('SKU-MUG'), tea: await saga.stock(TEA) };
    const cmd = anOrder({ promotionCodes: ['SAVE10'] });
    await stack.publish('io.oms.commands.SubmitOrder', cmd);

    const awaiting = await saga.waitForState(cmd.orderId, 'Awaiting_Shipment');
    // 2×1250 − 10 % mug discount (250) + 899 = 3149; SAVE10 takes 315; goods 2834;
    // CA tax 8.25 % = 233.8 → 234; standard shipping 499 + 1 kg × 100 = 599; total 3667.
    expect(awaiting).toMatchObject({ subtotal_minor: 3399, discount_minor: 565, tax_minor: 234, shipping_minor: 599, total_minor: 3667 });
    const components = await stack.db('order_price_components').where({ order_id: cmd.orderId }).orderBy('seq');
    expect(components.map((c) => [c.kind, c.amount_minor])).toEqual([
      ['subtotal', 3399], ['line_discount', -250], ['promotion', -315], ['shipping', 599], ['tax', 234], ['total', 3667],
    ]);
    expect(await saga.stock('SKU-MUG')).toEqual({ on_hand: before.mug.on_hand, reserved: before.mug.reserved + 2 });
    const [requested] = await eventually('FulfillmentRequested', async () => saga.events(cmd.orderId, 'io.oms.fulfillment.FulfillmentRequested'));
    expect(requested!.value).toMatchObject({ shippingMethod: 'standard', deliveryPreferences: { instructions: 'Leave with the concierge' } });
    expect(requested!.value!.lines).toEqual([{ sku: 'SKU-MUG', name: 'Mug', quantity: 2 }, { sku: TEA, name: 'Tea', quantity: 1 }]);

    await saga.dispatch(cmd.orderId);
    const shipped = await saga.waitForState(cmd.orderId, 'Shipped');
    expect(shipped.state).toBe('Shipped');
    await eventually('captured', async () => (await saga.payments(cmd.orderId)).some((p) => p.operation === 'capture'));
    await eventually('stock committed', async () => (await saga.reservations(cmd.orderId)).every((r) => r.status === 'committed'));
    await saga.deliver(cmd.orderId);
    await saga.waitForState(cmd.orderId, 'Delivered');

    expect(await saga.payments(cmd.orderId)).toEqual([
      expect.objectContaining({ operation: 'authorize', status: 'approved', amount_minor: 3667, gateway: 'simulated', method: 'card', external_transaction_id: expect.stringMatching(/^auth_/) }),
      expect.objectContaining({ operation: 'capture', status: 'approved', amount_minor: 3667, external_transaction_id: expect.stringMatching(/^cap_/) }),
    ]);
    expect(await saga.stock('SKU-MUG')).toEqual({ on_hand: before.mug.on_hand - 2, reserved: before.mug.reserved });
    expect(await saga.stock(TEA)).toEqual({ on_hand: before.tea.on_hand - 1, reserved: before.tea.reserved });
    const shipment = await stack.db('shipments').where({ order_id: cmd.orderId }).first();
    expect(shipment).toMatchObject({ carrier: 'UPS', tracking_number: `1Z${cmd.orderId.slice(0, 8).toUpperCase()}`, status: 'delivered' });
    await eventually('four notifications', async () => saga.notificationKinds(cmd.orderId).length === 4);
    expect(saga.notificationKinds(cmd.orderId)).toEqual(['CONFIRMED', 'DELIVERED', 'PLACED', 'SHIPPED']);
    const [shippedNote] = saga.events(cmd.orderId, 'io.oms.notifications.CustomerNotification').filter((m) => m.value!.kind === 'SHIPPED');
    expect(shippedNote!.value).toMatchObject({ channel: 'EMAIL', recipient: cmd.customer.email, carrier: 'UPS', trackingNumber: shipment.tracking_number });
    expect((await saga.history(cmd.orderId)).map((h) => `${h.from_state}→${h.to_state}:${h.cause_type}`)).toEqual([
      'null→Pending:SubmitOrder', 'Pending→Processing:OrderPlaced', 'Processing→Awaiting_Shipment:PaymentAuthorized',
      'Awaiting_Shipment→Shipped:ShipmentDispatched', 'Shipped→Delivered:ShipmentDelivered',
    ]);

    // Every command and event of this order delivered a second time (same bytes, same eventIds).
    await saga.waitForIdle(groups);
    const effects = await saga.effects(cmd.orderId);
    expect(effects).toEqual({ reservations: 1, payments: 2, notifications: 4, history: 5, shipments: 1, fulfillments: 1 });
    const redelivered = await saga.redeliverAll(cmd.orderId, groups);
    expect(redelivered).toEqual(expect.arrayContaining(['SubmitOrder', 'OrderPlaced', 'FraudCheckPassed', 'InventoryReserved', 'PaymentAuthorized', 'FulfillmentRequested', 'ShipmentDispatched', 'OrderShipped', 'PaymentCaptured', 'InventoryCommitted', 'ShipmentDelivered', 'OrderDelivered', 'CustomerNotification']));
    expect(await saga.effects(cmd.orderId)).toEqual(effects);
    expect(await saga.stock('SKU-MUG')).toEqual({ on_hand: before.mug.on_hand - 2, reserved: before.mug.reserved });
  }, 90000);

  it('when a channel sends its order id in upper case, then its events carry it in lower case and every step finds the order: Delivered, its stock committed, four notifications', async () => {
    const { cmd, SKU: UPPER } = await toAwaitingShipmentOnOwnSku('UPPER', 3, { orderId: randomUUID().toUpperCase() });
    expect(await saga.stock(UPPER)).toEqual({ on_hand: 10, reserved: 3 });
    await saga.dispatch(cmd.orderId);
    await saga.waitForState(cmd.orderId, 'Shipped');
    await saga.deliver(cmd.orderId);
    await saga.waitForState(cmd.orderId, 'Delivered');
    expect((await saga.payments(cmd.orderId)).map((p) => [p.operation, p.status])).toEqual([['authorize', 'approved'], ['capture', 'approved']]);
    expect((await saga.history(cmd.orderId)).map((h) => h.to_state)).toEqual(['Pending', 'Processing', 'Awaiting_Shipment', 'Shipped', 'Delivered']);
    await eventually('stock committed', async () => (await saga.reservations(cmd.orderId)).every((r) => r.status === 'committed'));
    expect(await saga.stock(UPPER)).toEqual({ on_hand: 7, reserved: 0 });
    // from intake on, the order's events carry and are keyed by its id in lower case, as Postgres and the sweeps spell it
    const canonical = cmd.orderId.toLowerCase();
    expect(saga.events(canonical, 'io.oms.orders.OrderPlaced').map((m) => m.value!.orderId)).toEqual([canonical]);
    expect(saga.events(cmd.orderId, 'io.oms.orders.OrderPlaced')).toEqual([]);
    await eventually('four notifications', async () => saga.notificationKinds(canonical).length === 4);
    expect(saga.notificationKinds(canonical)).toEqual(['CONFIRMED', 'DELIVERED', 'PLACED', 'SHIPPED']);
  });

  it('when an order sent in upper case is cancelled before shipping, then its stock is released and the customer told', async () => {
    const { cmd, SKU: UPPER } = await toAwaitingShipmentOnOwnSku('UPPERCANCEL', 4, { orderId: randomUUID().toUpperCase() });
    await saga.cancel(cmd.orderId);
    await saga.waitForState(cmd.orderId, 'Cancelled');
    expect(await saga.waitForCompensation(cmd.orderId)).toEqual({ inventory: 'released', payment: 'voided', warehouse: 'told', customer: 'notified' });
    expect(await saga.reservations(cmd.orderId)).toEqual([{ status: 'released', line_id: null }]);
    expect(await saga.stock(UPPER)).toEqual({ on_hand: 10, reserved: 0 });
    await eventually('cancel notification', async () => saga.notificationKinds(cmd.orderId.toLowerCase()).includes('CANCELLED'));
  });

  it('when the placed lines are reserved, then only payment takes the event in a transaction; intake and fulfillment act on added lines only and skip it', async () => {
    const cmd = await toAwaitingShipment();
    const [reserved] = await eventually('InventoryReserved', async () => saga.events(cmd.orderId, 'io.oms.inventory.InventoryReserved'));
    expect(reserved!.value!.forLineId).toBeNull();
    const consumers = (await stack.db('inbox').where({ event_id: reserved!.value!.eventId })).map((r) => r.consumer);
    expect(consumers).toEqual(['payment']);
  });

  it('when fraud rules fail an order, then it is Cancelled(fraud_rejected) and no stock was ever reserved', async () => {
    const cmd = anOrder({ customer: { ...aSubmitOrder().customer, email: 'mallory@fraud.example' } });
    await stack.publish('io.oms.commands.SubmitOrder', cmd);
    const order = await saga.waitForState(cmd.orderId, 'Cancelled');
    expect(order.cancel_reason).toBe('fraud_rejected');
    expect(await saga.reservations(cmd.orderId)).toEqual([]);
    const check = await stack.db('fraud_checks').where({ order_id: cmd.orderId }).first();
    expect(check).toMatchObject({ decision: 'failed', reasons: ['blocked_email_domain:fraud.example'] });
    await eventually('cancel notification', async () => saga.notificationKinds(cmd.orderId).includes('CANCELLED'));
    // the customer reads the store's decision, as on the tracking page, not that fraud rules failed them
    const [note] = saga.events(cmd.orderId, 'io.oms.notifications.CustomerNotification').filter((m) => m.value!.kind === 'CANCELLED');
    expect(note!.value!.body).toContain(`your order ${cmd.channelOrderRef} was cancelled by the store.`);
    expect(note!.value!.body).not.toMatch(/fraud/i);
    await expectNoDoubleEffects(cmd.orderId, ['FraudCheckFailed', 'OrderCancelled']);
  });

  it('when one card places a fourth and fifth order within the hour, then those two are held for review on payment-token velocity and the first three go on', async () => {
    const card = `tok_approve_velocity_${randomUUID().slice(0, 8)}`;
    const at = Date.now() - 10 * 60_000;
    const byCard = (i: number) => {
      const cmd = anOrder({ payment: { method: 'card', token: card, billingCountry: 'US' } });
      return { ...cmd, occurredAt: at + i * 1000 };
    };
    const first = [byCard(0), byCard(1), byCard(2)];
    for (const cmd of first) await stack.publish('io.oms.commands.SubmitOrder', cmd);
    for (const cmd of first) await saga.waitForState(cmd.orderId, 'Awaiting_Shipment');
    // the fourth in upper case: its window is still found under the id Postgres prints
    const [fourth, fifth] = [{ ...byCard(3), orderId: randomUUID().toUpperCase() }, byCard(4)];
    // a window counts by OrderPlaced's time, which intake sets when it handles the command: the
    // fifth goes in only once the fourth is held, else intake may place it first (another partition)
    await stack.publish('io.oms.commands.SubmitOrder', fourth);
    await saga.waitForState(fourth.orderId, 'On_Hold');
    await stack.publish('io.oms.commands.SubmitOrder', fifth);
    await saga.waitForState(fifth.orderId, 'On_Hold');

    const checks = await stack.db('fraud_checks').whereIn('order_id', [...first, fourth, fifth].map((c) => c.orderId)).select('order_id', 'decision', 'reasons');
    const check = (orderId: string) => checks.find((c) => c.order_id === orderId.toLowerCase());
    for (const cmd of first) expect(check(cmd.orderId)).toMatchObject({ decision: 'passed', reasons: [] });
    // the window is counted by each order's own time: the fourth sees exactly four, the fifth four or five (the fourth may be recorded after it)
    expect(check(fourth.orderId)).toMatchObject({ decision: 'review', reasons: ['velocity_payment_token:4_in_60m'] });
    expect(check(fifth.orderId)!.reasons).toEqual([expect.stringMatching(/^velocity_payment_token:[45]_in_60m$/)]);
    expect((await saga.history(fourth.orderId))[1]).toMatchObject({ to_state: 'On_Hold', reason: expect.stringContaining('velocity_payment_token') });
  });

  const bigOrder = () => anOrder({ lines: [{ sku: MUG, name: 'Espresso machine', quantity: 1, unitPriceMinor: 250000, weightGrams: 9000 }] });

  it('when fraud asks for review and an operator releases the hold, then the order goes on to Delivered', async () => {
    const cmd = bigOrder();
    await stack.publish('io.oms.commands.SubmitOrder', cmd);
    await saga.waitForState(cmd.orderId, 'On_Hold');
    expect(await saga.reservations(cmd.orderId)).toEqual([]);
    await saga.releaseHold(cmd.orderId);
    await saga.waitForState(cmd.orderId, 'Awaiting_Shipment');
    await saga.dispatch(cmd.orderId);
    await saga.waitForState(cmd.orderId, 'Shipped');
    await saga.deliver(cmd.orderId);
    await saga.waitForState(cmd.orderId, 'Delivered');
    const history = await saga.history(cmd.orderId);
    expect(history[1]).toMatchObject({ from_state: 'Pending', to_state: 'On_Hold', reason: expect.stringContaining('amount_above_review_threshold') });
    expect(history[2]).toMatchObject({ from_state: 'On_Hold', to_state: 'Processing', cause_type: 'ReleaseOrderHold', reason: expect.stringContaining('op-ann') });
    await expectNoDoubleEffects(cmd.orderId, ['FraudReviewRequired', 'ReleaseOrderHold']);
  });

  it('when an order on hold is cancelled by an operator, then it is Cancelled(operator) with nothing to compensate but the customer', async () => {
    const cmd = bigOrder();
    await stack.publish('io.oms.commands.SubmitOrder', cmd);
    await saga.waitForState(cmd.orderId, 'On_Hold');
    await saga.cancel(cmd.orderId, 'operator');
    const order = await saga.waitForState(cmd.orderId, 'Cancelled');
    expect(order.cancel_reason).toBe('operator');
    expect(await saga.waitForCompensation(cmd.orderId)).toEqual({ inventory: 'nothing_held', payment: 'nothing_authorized', warehouse: 'not_requested', customer: 'notified' });
  });

  it('when stock is short, then the order is Cancelled(out_of_stock) and nothing stays reserved', async () => {
    const before = await saga.stock(SCARCE);
    const cmd = anOrder({ lines: [{ sku: MUG, name: 'Mug', quantity: 1, unitPriceMinor: 1000, weightGrams: 1 }, { sku: SCARCE, name: 'Rare tea', quantity: 2, unitPriceMinor: 5000, weightGrams: 1 }] });
    await stack.publish('io.oms.commands.SubmitOrder', cmd);
    const order = await saga.waitForState(cmd.orderId, 'Cancelled');
    expect(order.cancel_reason).toBe('out_of_stock');
    expect(await saga.reservations(cmd.orderId)).toEqual([]);
    expect(await saga.stock(SCARCE)).toEqual(before);
    const [unavailable] = await eventually('InventoryUnavailable', async () => saga.events(cmd.orderId, 'io.oms.inventory.InventoryUnavailable'));
    expect(unavailable!.value!.lines).toEqual([{ sku: SCARCE, requested: 2, available: 1, reason: 'insufficient_stock' }]);
    expect((await saga.history(cmd.orderId)).at(-1)!.reason).toContain(`${SCARCE}: insufficient_stock`);
    await expectNoDoubleEffects(cmd.orderId, ['InventoryUnavailable']);
    expect(await saga.stock(SCARCE)).toEqual(before);
  });

  it('when the payment is declined, then the order is Cancelled(payment_declined) and the reservation released', async () => {
    const before = await saga.stock(MUG);
    const cmd = anOrder({ lines: [{ sku: MUG, name: 'Mug', quantity: 3, unitPriceMinor: 1000, weightGrams: 1 }], payment: { method: 'card', token: 'tok_decline', billingCountry: 'US' } });
    await stack.publish('io.oms.commands.SubmitOrder', cmd);
    const order = await saga.waitForState(cmd.orderId, 'Cancelled');
    expect(order.cancel_reason).toBe('payment_declined');
    await eventually('released', async () => (await saga.reservations(cmd.orderId))[0]?.status === 'released');
    expect(await saga.stock(MUG)).toEqual(before);
    expect(await saga.payments(cmd.orderId)).toEqual([expect.objectContaining({ operation: 'authorize', status: 'declined' })]);
    await expectNoDoubleEffects(cmd.orderId, ['PaymentDeclined', 'InventoryReleased']);
    expect(await saga.stock(MUG)).toEqual(before);
  });

  it('when the gateway times out once, then the authorization is retried with the same key and happens once', async () => {
    const cmd = await toAwaitingShipment({ payment: { method: 'card', token: 'tok_timeout_once', billingCountry: 'US' } });
    expect(await saga.payments(cmd.orderId)).toEqual([expect.objectContaining({ operation: 'authorize', status: 'approved' })]);
  });

  it('when an order awaiting shipment is cancelled, then stock is released, the authorization voided, the warehouse told and the customer notified', async () => {
    const before = await saga.stock(MUG);
    const cmd = await toAwaitingShipment();
    await saga.cancel(cmd.orderId);
    await saga.waitForState(cmd.orderId, 'Cancelled');
    expect(await saga.waitForCompensation(cmd.orderId)).toEqual({ inventory: 'released', payment: 'voided', warehouse: 'told', customer: 'notified' });
    expect((await saga.payments(cmd.orderId)).map((p) => p.operation)).toEqual(['authorize', 'void']);
    expect(await saga.stock(MUG)).toEqual(before);
    await eventually('FulfillmentCancelled', async () => saga.events(cmd.orderId, 'io.oms.fulfillment.FulfillmentCancelled'));
    await expectNoDoubleEffects(cmd.orderId, ['CancelOrder', 'OrderCancelled', 'InventoryReleased', 'PaymentVoided', 'FulfillmentCancelled']);
    expect((await saga.payments(cmd.orderId)).map((p) => p.operation)).toEqual(['authorize', 'void']);
    expect(await saga.stock(MUG)).toEqual(before);
  });

  it('when the authorization lapsed before the warehouse shipped, then the declined capture is recorded with its reason and the order goes on to Delivered', async () => {
    const cmd = await toAwaitingShipment({ payment: { method: 'card', token: 'tok_expiring_auth', billingCountry: 'US' } });
    await saga.dispatch(cmd.orderId);
    await saga.waitForState(cmd.orderId, 'Shipped');
    const capture = await eventually('capture recorded', async () => (await stack.db('payments').where({ order_id: cmd.orderId, operation: 'capture' }).first()) ?? null);
    expect(capture).toMatchObject({ status: 'declined', external_transaction_id: null, failure_reason: 'authorization_expired: the authorization expired' });
    expect(saga.events(cmd.orderId, 'io.oms.payments.PaymentCaptured')).toHaveLength(0);
    await saga.deliver(cmd.orderId);
    await saga.waitForState(cmd.orderId, 'Delivered');
    await eventually('stock committed', async () => (await saga.reservations(cmd.orderId)).every((r) => r.status === 'committed'));
  });

  it('when the authorization lapsed before a cancellation, then the declined void is the payment compensation support reads, and the rest is compensated', async () => {
    const cmd = await toAwaitingShipment({ payment: { method: 'card', token: 'tok_expiring_auth', billingCountry: 'US' } });
    await saga.cancel(cmd.orderId);
    await saga.waitForState(cmd.orderId, 'Cancelled');
    expect(await saga.waitForCompensation(cmd.orderId)).toEqual({ inventory: 'released', payment: 'void_declined', warehouse: 'told', customer: 'notified' });
    expect((await saga.payments(cmd.orderId)).map((p) => [p.operation, p.status])).toEqual([['authorize', 'approved'], ['void', 'declined']]);
  });

  it('when the warehouse counts the stock after picking, before the shipment is reported, then the shipment still commits its reservation and on_hand stays at 0', async () => {
    const { cmd, SKU: PICKED } = await toAwaitingShipmentOnOwnSku('PICKED', 2, {}, 2);
    await saga.setStock(PICKED, 0); // the two units left the shelf
    await saga.dispatch(cmd.orderId);
    await saga.waitForState(cmd.orderId, 'Shipped');
    await eventually('stock committed', async () => (await saga.reservations(cmd.orderId)).every((r) => r.status === 'committed'));
    expect(await saga.stock(PICKED)).toEqual({ on_hand: 0, reserved: 0 });
    await eventually('InventoryCommitted', async () => saga.events(cmd.orderId, 'io.oms.inventory.InventoryCommitted').length > 0);
  });

  it('when the warehouse ships two orders in one parcel (one shipment id), then both are Shipped, captured and Delivered, each with its shipment row', async () => {
    const [a, b] = [await toAwaitingShipment(), await toAwaitingShipment()];
    const parcel = `PARCEL-${a.orderId.slice(0, 8)}`;
    for (const cmd of [a, b]) await saga.dispatch(cmd.orderId, parcel);
    for (const cmd of [a, b]) await saga.waitForState(cmd.orderId, 'Shipped');
    for (const cmd of [a, b]) await saga.deliver(cmd.orderId, parcel);
    for (const cmd of [a, b]) await saga.waitForState(cmd.orderId, 'Delivered');
    for (const cmd of [a, b]) {
      expect(await stack.db('shipments').where({ order_id: cmd.orderId }).select('shipment_id', 'status')).toEqual([{ shipment_id: parcel, status: 'delivered' }]);
      await eventually('captured', async () => (await saga.payments(cmd.orderId)).some((p) => p.operation === 'capture'));
    }
  });

  it('when the customer prefers SMS, then notifications go to the phone; when NONE, then none are sent', async () => {
    const sms = await toAwaitingShipment({ customer: { ...aSubmitOrder().customer, contactPreference: 'SMS', phone: '+447700900123' } });
    const none = await toAwaitingShipment({ customer: { ...aSubmitOrder().customer, contactPreference: 'NONE' } });
    await eventually('SMS confirmation', async () => saga.events(sms.orderId, 'io.oms.notifications.CustomerNotification').length === 2);
    for (const n of saga.events(sms.orderId, 'io.oms.notifications.CustomerNotification')) expect(n.value).toMatchObject({ channel: 'SMS', recipient: '+447700900123' });
    await saga.waitForIdle(groups);
    expect(saga.notificationKinds(none.orderId)).toEqual([]);
  });

  it('when a shipment is reported for a cancelled order, then it is refused and the order stays Cancelled', async () => {
    const cmd = await toAwaitingShipment();
    await saga.cancel(cmd.orderId);
    await saga.waitForState(cmd.orderId, 'Cancelled');
    await saga.dispatch(cmd.orderId);
    const refused = await eventually('refusal', async () => (await saga.history(cmd.orderId)).find((h) => h.refused && h.to_state === 'Shipped'));
    expect(refused).toMatchObject({ from_state: 'Cancelled', cause_type: 'ShipmentDispatched' });
    expect(await stack.db('shipments').where({ order_id: cmd.orderId })).toEqual([]);
  });

  it('when a cancel arrives after the order shipped, then it is refused with a reason in the history', async () => {
    const cmd = await toAwaitingShipment();
    await saga.dispatch(cmd.orderId);
    await saga.waitForState(cmd.orderId, 'Shipped');
    await saga.cancel(cmd.orderId);
    const refused = await eventually('refusal recorded', async () => (await saga.history(cmd.orderId)).find((h) => h.refused));
    expect(refused).toMatchObject({ from_state: 'Shipped', to_state: 'Cancelled', cause_type: 'CancelOrder', reason: expect.stringContaining('Shipped → Cancelled is not allowed') });
    expect((await saga.order(cmd.orderId)).state).toBe('Shipped');
  });

  it('when a line is added after fulfillment was requested, then it is refused with a stored reason and the order is unchanged', async () => {
    const cmd = await toAwaitingShipment();
    const total = (await saga.order(cmd.orderId)).total_minor;
    const add = await saga.addLine(cmd.orderId, { sku: TEA, name: 'Tea', quantity: 1, unitPriceMinor: 899, weightGrams: 1 });
    const line = await eventually('line refused', async () => stack.db('order_lines').where({ order_id: cmd.orderId, status: 'refused' }).first());
    expect(line.refused_reason).toContain('until fulfillment is requested; the order is Awaiting_Shipment');
    expect(line.line_id).toBe(`A-${add.eventId}`);
    expect((await saga.order(cmd.orderId)).total_minor).toBe(total);
    const [refused] = await eventually('LineItemRefused', async () => saga.events(cmd.orderId, 'io.oms.orders.LineItemRefused'));
    expect(refused!.value).toMatchObject({ lineId: line.line_id, sku: TEA, reasonCode: 'not_addable', totalMinor: total });
    const [notice] = await eventually('line notice', async () => saga.events(cmd.orderId, 'io.oms.notifications.CustomerNotification').filter((m) => m.value!.kind === 'LINE_REFUSED'));
    expect(notice!.value!.body).toBe(`Hello Ada Lovelace, we could not add ${TEA} to your order ${cmd.channelOrderRef}: your order can no longer be changed. Your order goes on without it, and you are not charged for it.`);
  });

  it('when an invalid line is added to a live order, then it is refused with each problem stored and told with its code, and the order is unchanged', async () => {
    const cmd = bigOrder(); // held for review: the order stays where lines can be added
    await stack.publish('io.oms.commands.SubmitOrder', cmd);
    await saga.waitForState(cmd.orderId, 'On_Hold');
    const before = await saga.order(cmd.orderId);
    const add = await saga.addLine(cmd.orderId, { sku: 'TEA LEAVES!', name: 'Tea', quantity: 0, unitPriceMinor: -5, weightGrams: 1 });
    const line = await eventually('line refused', async () => stack.db('order_lines').where({ order_id: cmd.orderId, status: 'refused' }).first());
    const problems = [
      { field: 'line.sku', code: 'invalid', message: 'line.sku must be 1-64 letters, digits, dot, dash or underscore' },
      { field: 'line.quantity', code: 'out_of_range', message: expect.stringMatching(/^line\.quantity must be between 1 and \d+$/) },
      { field: 'line.unitPriceMinor', code: 'negative', message: 'line.unitPriceMinor must not be negative' },
    ];
    expect(line).toMatchObject({ line_id: `A-${add.eventId}`, refused_problems: problems });
    expect(line.refused_reason).toBe(line.refused_problems.map((p: { message: string }) => p.message).join('; '));
    const [refused] = await eventually('LineItemRefused', async () => saga.events(cmd.orderId, 'io.oms.orders.LineItemRefused'));
    expect(refused!.value).toMatchObject({ lineId: line.line_id, reasonCode: 'invalid_line', reason: line.refused_reason, problems, totalMinor: before.total_minor });
    expect(await saga.order(cmd.orderId)).toMatchObject({ state: 'On_Hold', total_minor: before.total_minor, version: before.version });
  });

  it('when a channel\'s two AddLineItem event ids share their first characters (time-ordered ids, UUIDv7), then each is its own line with its own stored outcome', async () => {
    const cmd = await toAwaitingShipment();
    const v7 = (tail: string) => `0193a1b2-c3d4-7${tail}-8000-${randomUUID().slice(-12)}`;
    for (const eventId of [v7('001'), v7('002')]) {
      await stack.publish('io.oms.commands.AddLineItem', { ...newEnvelope('test', cmd.orderId, eventId), orderId: cmd.orderId, line: { sku: TEA, name: 'Tea', quantity: 1, unitPriceMinor: 899, weightGrams: 1 }, requestedBy: 'test' });
    }
    const lines = await eventually('both lines refused', async () => {
      const rows = await stack.db('order_lines').where({ order_id: cmd.orderId, status: 'refused' });
      return rows.length === 2 ? rows : null;
    });
    expect(lines.every((l) => l.refused_reason.includes('until fulfillment is requested'))).toBe(true);
    // one notice per refused line: a notification is unique per order, kind and line
    await eventually('two line notices', async () => saga.events(cmd.orderId, 'io.oms.notifications.CustomerNotification').filter((m) => m.value!.kind === 'LINE_REFUSED').length === 2);
  });

  it('when a channel adds 12 lines to one order and each is refused, then the customer is told of the first 10 (NOTIFY_LINE_REFUSED_PER_ORDER), the last 2 are recorded as withheld with the reason, and a redelivery sends none of them', async () => {
    const cmd = await toAwaitingShipment();
    const adds = [];
    for (let i = 0; i < 12; i++) adds.push(await saga.addLine(cmd.orderId, { sku: TEA, name: 'Tea', quantity: 1, unitPriceMinor: 899, weightGrams: 1 }));
    const rows = await eventually('12 line notifications recorded', async () => {
      const found = await stack.db('notifications').where({ order_id: cmd.orderId, kind: 'LINE_REFUSED' }).select('about', 'withheld_reason');
      return found.length === 12 ? found : null;
    });
    const withheld = rows.filter((r) => r.withheld_reason !== null);
    // in message order: the lines past the tenth
    expect(withheld.map((r) => r.about).sort()).toEqual(adds.slice(10).map((a) => `A-${a.eventId}`).sort());
    for (const r of withheld) expect(r.withheld_reason).toContain('NOTIFY_LINE_REFUSED_PER_ORDER');
    const notices = () => saga.events(cmd.orderId, 'io.oms.notifications.CustomerNotification').filter((m) => m.value!.kind === 'LINE_REFUSED');
    await eventually('10 line notices sent', async () => notices().length === 10);
    await expectNoDoubleEffects(cmd.orderId, ['AddLineItem', 'LineItemRefused']);
    // the redelivery re-sends the 10 notices' own messages too (same ids); none new
    expect(new Set(notices().map((m) => m.value!.notificationId)).size).toBe(10);
  });

  it('when the warehouse reports a shipment for an unknown order, then it is recorded as refused and the consumer goes on', async () => {
    const unknown = randomUUID();
    await saga.dispatch(unknown);
    const [h] = await eventually('refusal', () => saga.history(unknown));
    expect(h).toMatchObject({ from_state: null, to_state: 'Shipped', refused: true, reason: 'unknown order' });
    await toAwaitingShipment(); // still consuming
  });
});
