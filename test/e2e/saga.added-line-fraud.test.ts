import { aSubmitOrder } from '../support/orders';
import { ALL_TOPICS, SagaDriver } from '../support/saga';
import { eventually, TestStack } from '../support/stack';

/**
 * Fraud is the gate before any stock is held, for an added line too: the order as it stands with
 * the line is scored by the same rules (config/fraud.json: USD review above 200,000, fail above
 * 1,000,000 minor units). A line that fails, or would need a review once the order is past the
 * gate, is refused alone and none of its stock is ever held; a line added while the order is on
 * hold waits for the operator's release with the order.
 */
describe('fraud scores an added line before its stock is held', () => {
  const stack = new TestStack();
  const saga = new SagaDriver(stack);
  const tag = stack.prefix.slice(1, 9);
  const LAMP = `LAMP-${tag}`;
  const BULB = `BULB-${tag}`;
  const CHANDELIER = `CHANDELIER-${tag}`;
  const YACHT = `YACHT-${tag}`;
  const groups = ['intake', 'inventory', 'payment', 'notifications', 'fraud', 'fulfillment'].map((s) => `g-${stack.prefix}-${s}`);
  let fulfillment: Awaited<ReturnType<TestStack['startService']>>;
  let fraud: Awaited<ReturnType<TestStack['startService']>>;
  let intake: Awaited<ReturnType<TestStack['startService']>>;

  const bulb = { sku: BULB, name: 'Bulb', quantity: 1, unitPriceMinor: 1000, weightGrams: 100 };
  const chandelier = { sku: CHANDELIER, name: 'Chandelier', quantity: 1, unitPriceMinor: 200000, weightGrams: 5000 };
  const yacht = { sku: YACHT, name: 'Yacht model', quantity: 1, unitPriceMinor: 1000000, weightGrams: 5000 };

  beforeAll(async () => {
    await stack.provision();
    await stack.watch(ALL_TOPICS.map((t) => stack.topic(t)));
    intake = await stack.startService(stack.service('intake'));
    for (const s of ['inventory', 'payment', 'notifications'] as const) await stack.startService(stack.service(s));
    fraud = await stack.startService(stack.service('fraud'));
    fulfillment = await stack.startService(stack.service('fulfillment'));
    for (const sku of [LAMP, BULB, CHANDELIER, YACHT]) await saga.setStock(sku, 20);
  }, 120000);
  afterAll(() => stack.close());

  const lineRows = (orderId: string) => stack.db('order_lines').where({ order_id: orderId, origin: 'added' }).orderBy('added_at').select('line_id', 'sku', 'status', 'refused_reason');
  const lineChecks = async (orderId: string) =>
    Object.fromEntries((await stack.db('fraud_line_checks').where({ order_id: orderId }).select('line_id', 'decision')).map((c) => [c.line_id, c.decision]));
  const refusedLine = (orderId: string, lineId: string) =>
    eventually(`line ${lineId} refused`, async () => (await stack.db('order_lines').where({ order_id: orderId, line_id: lineId, status: 'refused' }).first()) ?? null);

  it('when lines are added to an order on hold, then a failing one is refused at once and the rest wait for the release, which reserves and ships them', async () => {
    const cmd = aSubmitOrder({ lines: [{ sku: LAMP, name: 'Espresso machine', quantity: 1, unitPriceMinor: 250000, weightGrams: 9000 }] });
    await stack.publish('io.oms.commands.SubmitOrder', cmd);
    await saga.waitForState(cmd.orderId, 'On_Hold');

    const small = await saga.addLine(cmd.orderId, bulb);
    const huge = await saga.addLine(cmd.orderId, yacht);
    const [smallId, hugeId] = [`A-${small.eventId}`, `A-${huge.eventId}`];
    expect((await refusedLine(cmd.orderId, hugeId)).refused_reason).toBe('refused by fraud rules: fraud score 100: amount_above_fail_threshold:1000000');
    await eventually('both lines scored', async () => Object.keys(await lineChecks(cmd.orderId)).length === 2);
    // the bulb scores as the held order does (above the review amount): it waits for the operator, nothing held
    expect(await lineChecks(cmd.orderId)).toEqual({ [smallId]: 'review', [hugeId]: 'failed' });
    await saga.waitForIdle(groups);
    expect(await saga.reservations(cmd.orderId)).toEqual([]);
    expect((await saga.order(cmd.orderId)).state).toBe('On_Hold');
    const [refused] = await eventually('LineItemRefused', async () => saga.events(cmd.orderId, 'io.oms.orders.LineItemRefused'));
    expect(refused!.value).toMatchObject({ lineId: hugeId, sku: YACHT, reasonCode: 'fraud_rejected' });

    await saga.releaseHold(cmd.orderId);
    await saga.waitForState(cmd.orderId, 'Awaiting_Shipment');
    const [requested] = await eventually('FulfillmentRequested', async () => saga.events(cmd.orderId, 'io.oms.fulfillment.FulfillmentRequested'));
    expect(requested!.value!.lines).toEqual([{ sku: LAMP, name: 'Espresso machine', quantity: 1 }, { sku: BULB, name: 'Bulb', quantity: 1 }]);
    expect(await lineChecks(cmd.orderId)).toEqual({ [smallId]: 'released', [hugeId]: 'failed' });
    expect((await lineRows(cmd.orderId)).map((l) => [l.line_id, l.status])).toEqual([[smallId, 'active'], [hugeId, 'refused']]);
    const reservations = await saga.reservations(cmd.orderId); // one transaction may hold both: same created_at
    expect(reservations).toHaveLength(2);
    expect(reservations).toEqual(expect.arrayContaining([{ status: 'held', line_id: null }, { status: 'held', line_id: smallId }]));
    const order = await saga.order(cmd.orderId);
    const payments = await saga.payments(cmd.orderId);
    expect(payments.filter((p) => p.status === 'approved').reduce((sum, p) => sum + Number(p.amount_minor), 0)).toBe(order.total_minor);
    expect((await saga.stock(YACHT))!.reserved).toBe(0);
  }, 120_000);

  it('when lines are added to an order past the gate, then one that passes is reserved and paid for, one that would need a review and one that fails are refused, none of their stock held, and the order is delivered without them', async () => {
    await stack.stopService(fulfillment); // the order rests in Processing, authorized, while its lines are added
    const cmd = aSubmitOrder({ lines: [{ sku: LAMP, name: 'Lamp', quantity: 2, unitPriceMinor: 3000, weightGrams: 1200 }] });
    await stack.publish('io.oms.commands.SubmitOrder', cmd);
    await eventually('authorized', async () => (await saga.payments(cmd.orderId)).length === 1);
    const placedTotal = (await saga.order(cmd.orderId)).total_minor; // 2 × 3000 + CA tax 8.25 % = 6495

    const passing = await saga.addLine(cmd.orderId, bulb);
    const passingId = `A-${passing.eventId}`;
    await eventually('the bulb paid for', async () => (await saga.payments(cmd.orderId)).length === 2);
    const withBulb = (await saga.order(cmd.orderId)).total_minor;

    const reviewed = await saga.addLine(cmd.orderId, chandelier);
    const reviewedId = `A-${reviewed.eventId}`;
    expect((await refusedLine(cmd.orderId, reviewedId)).refused_reason).toBe('would need a fraud review: fraud score 50: amount_above_review_threshold:200000');
    const failing = await saga.addLine(cmd.orderId, yacht);
    const failingId = `A-${failing.eventId}`;
    expect((await refusedLine(cmd.orderId, failingId)).refused_reason).toBe('refused by fraud rules: fraud score 100: amount_above_fail_threshold:1000000');

    await saga.waitForIdle(groups.filter((g) => !g.endsWith('-fulfillment')));
    expect(await lineChecks(cmd.orderId)).toEqual({ [passingId]: 'passed', [reviewedId]: 'review', [failingId]: 'failed' });
    expect(await saga.reservations(cmd.orderId)).toEqual([{ status: 'held', line_id: null }, { status: 'held', line_id: passingId }]);
    expect((await saga.stock(CHANDELIER))!.reserved).toBe(0);
    expect((await saga.stock(YACHT))!.reserved).toBe(0);
    const order = await saga.order(cmd.orderId);
    expect(order).toMatchObject({ state: 'Processing', total_minor: withBulb, cancel_reason: null });
    expect((await saga.payments(cmd.orderId)).map((p) => `${p.operation}:${p.status}:${p.amount_minor}`)).toEqual([`authorize:approved:${placedTotal}`, `authorize:approved:${withBulb - placedTotal}`]);
    const refusals = saga.events(cmd.orderId, 'io.oms.orders.LineItemRefused').map((m) => [m.value!.lineId, m.value!.reasonCode]);
    expect(refusals).toEqual([[reviewedId, 'fraud_review'], [failingId, 'fraud_rejected']]);
    // the customer is told of each refused line once, in the store's words, never the fraud rules'
    const notices = await eventually('two line notices', async () => {
      const n = saga.events(cmd.orderId, 'io.oms.notifications.CustomerNotification').filter((m) => m.value!.kind === 'LINE_REFUSED');
      return n.length === 2 ? n : null;
    });
    expect(notices.map((m) => [m.value!.subject, m.value!.body])).toEqual([CHANDELIER, YACHT].map((sku) => [
      `An item could not be added to order ${cmd.channelOrderRef}`,
      `Hello Ada Lovelace, we could not add ${sku} to your order ${cmd.channelOrderRef}: the store could not accept it. Your order goes on without it, and you are not charged for it.`,
    ]));

    fulfillment = await stack.startService(stack.service('fulfillment'));
    await saga.waitForState(cmd.orderId, 'Awaiting_Shipment');
    const [requested] = await eventually('FulfillmentRequested', async () => saga.events(cmd.orderId, 'io.oms.fulfillment.FulfillmentRequested'));
    expect(requested!.value!.lines).toEqual([{ sku: LAMP, name: 'Lamp', quantity: 2 }, { sku: BULB, name: 'Bulb', quantity: 1 }]);
    await saga.dispatch(cmd.orderId);
    await saga.deliver(cmd.orderId);
    await saga.waitForState(cmd.orderId, 'Delivered');
    await eventually('captured', async () => (await saga.payments(cmd.orderId)).some((p) => p.operation === 'capture'));
    expect((await saga.payments(cmd.orderId)).filter((p) => p.operation === 'capture').map((p) => Number(p.amount_minor)).reduce((a, b) => a + b, 0)).toBe(withBulb);

    await saga.waitForIdle(groups);
    const effects = async () => ({ ...(await saga.effects(cmd.orderId)), lines: await lineRows(cmd.orderId), checks: await lineChecks(cmd.orderId) });
    const before = await effects();
    expect(await saga.redeliverAll(cmd.orderId, groups)).toEqual(expect.arrayContaining(['LineItemAdded', 'FraudCheckPassed', 'FraudReviewRequired', 'FraudCheckFailed', 'LineItemRefused']));
    expect(await effects()).toEqual(before);
    expect((await saga.stock(CHANDELIER))!.reserved).toBe(0);
  }, 120_000);

  it('when the order was checked before its facts were kept (migration 013), then an added line is scored on what the order row holds', async () => {
    await stack.stopService(fulfillment);
    // a customer of one day, billed in Canada, shipping to the US: 30 points at placement (a passing 6,495)
    const cmd = aSubmitOrder({
      lines: [{ sku: LAMP, name: 'Lamp', quantity: 2, unitPriceMinor: 3000, weightGrams: 1200 }],
      payment: { method: 'card', token: `tok_approve_${tag}`, billingCountry: 'CA' },
    });
    cmd.customer.accountCreatedAt = Date.now() - 86_400_000;
    await stack.publish('io.oms.commands.SubmitOrder', cmd);
    await eventually('authorized', async () => (await saga.payments(cmd.orderId)).length === 1);
    expect(await stack.db('fraud_checks').where({ order_id: cmd.orderId }).first()).toMatchObject({
      decision: 'passed', reasons: ['billing_shipping_country_mismatch:CA/US'],
      facts: { currency: 'USD', shippingCountry: 'US', billingCountry: 'CA', recentOrders: { customer: 1, email: 1, paymentToken: 1 } },
    });
    await stack.db('fraud_checks').where({ order_id: cmd.orderId }).update({ facts: null });

    // 60,000 more makes a new customer's high-value order: 30 + 50 reaches the fail score, 80, only if the row's billing country and account age are read
    const big = await saga.addLine(cmd.orderId, { sku: CHANDELIER, name: 'Lamp shade', quantity: 1, unitPriceMinor: 60000, weightGrams: 100 });
    const refused = await refusedLine(cmd.orderId, `A-${big.eventId}`);
    expect(refused.refused_reason).toMatch(/^refused by fraud rules: fraud score 80: billing_shipping_country_mismatch:CA\/US, new_customer_high_value:\d+$/);
  }, 120_000);

  it('when a line of an order on hold has no fraud outcome at the release (added before fraud scored lines), then the release clears it and it is reserved with the order', async () => {
    fulfillment = await stack.startService(stack.service('fulfillment'));
    const cmd = aSubmitOrder({ lines: [{ sku: LAMP, name: 'Espresso machine', quantity: 1, unitPriceMinor: 250000, weightGrams: 9000 }] });
    await stack.publish('io.oms.commands.SubmitOrder', cmd);
    await saga.waitForState(cmd.orderId, 'On_Hold');
    const add = await saga.addLine(cmd.orderId, bulb);
    const lineId = `A-${add.eventId}`;
    await eventually('line scored', async () => (await lineChecks(cmd.orderId))[lineId] === 'review');
    await stack.db('fraud_line_checks').where({ order_id: cmd.orderId }).delete(); // as a line added before migration 013 has none
    await stack.db('order_lines').where({ order_id: cmd.orderId, line_id: lineId }).update({ order_total_minor: null }); // nor its total, before 015

    await saga.releaseHold(cmd.orderId);
    await saga.waitForState(cmd.orderId, 'Awaiting_Shipment');
    // scored at the release on the order's total (a review, as the order's was), and released with it
    expect(await stack.db('fraud_line_checks').where({ order_id: cmd.orderId }).select('line_id', 'decision', 'reasons')).toEqual([{ line_id: lineId, decision: 'released', reasons: ['amount_above_review_threshold:200000', 'released_by:op-ann'] }]);
    const [requested] = await eventually('FulfillmentRequested', async () => saga.events(cmd.orderId, 'io.oms.fulfillment.FulfillmentRequested'));
    expect(requested!.value!.lines).toEqual([{ sku: LAMP, name: 'Espresso machine', quantity: 1 }, { sku: BULB, name: 'Bulb', quantity: 1 }]);
  }, 120_000);

  it('when a failing line reaches fraud around the release, then it is refused either way; and a line added after the release that scores a review is reserved, since the operator vouched for the order', async () => {
    await stack.stopService(fulfillment);
    const cmd = aSubmitOrder({ lines: [{ sku: LAMP, name: 'Espresso machine', quantity: 1, unitPriceMinor: 250000, weightGrams: 9000 }] });
    await stack.publish('io.oms.commands.SubmitOrder', cmd);
    await saga.waitForState(cmd.orderId, 'On_Hold');
    await stack.stopService(fraud); // the line and the release wait on two topics: fraud takes them in either order
    const huge = await saga.addLine(cmd.orderId, yacht);
    await eventually('line stored', async () => (await lineRows(cmd.orderId)).length === 1);
    await saga.releaseHold(cmd.orderId);
    fraud = await stack.startService(stack.service('fraud'));
    expect((await refusedLine(cmd.orderId, `A-${huge.eventId}`)).refused_reason).toBe('refused by fraud rules: fraud score 100: amount_above_fail_threshold:1000000');
    await eventually('authorized', async () => (await saga.payments(cmd.orderId)).length === 1);
    expect((await saga.stock(YACHT))!.reserved).toBe(0);

    const small = await saga.addLine(cmd.orderId, bulb);
    await eventually('the bulb reserved', async () => (await saga.reservations(cmd.orderId)).some((r) => r.line_id === `A-${small.eventId}`));
    expect((await lineChecks(cmd.orderId))[`A-${small.eventId}`]).toBe('released');
    fulfillment = await stack.startService(stack.service('fulfillment'));
    await saga.waitForState(cmd.orderId, 'Awaiting_Shipment');
    const [requested] = await eventually('FulfillmentRequested', async () => saga.events(cmd.orderId, 'io.oms.fulfillment.FulfillmentRequested'));
    expect(requested!.value!.lines).toEqual([{ sku: LAMP, name: 'Espresso machine', quantity: 1 }, { sku: BULB, name: 'Bulb', quantity: 1 }]);
  }, 120_000);

  it('when a line is added in its order\'s own intake transaction (one added_at for both), then its raise still asks for it and the order ships with it', async () => {
    await stack.stopService(intake); // the SubmitOrder and the AddLineItem wait, and intake takes them in one chunk
    const cmd = aSubmitOrder({ lines: [{ sku: LAMP, name: 'Lamp', quantity: 2, unitPriceMinor: 3000, weightGrams: 1200 }] });
    await stack.publish('io.oms.commands.SubmitOrder', cmd);
    const add = await saga.addLine(cmd.orderId, bulb);
    intake = await stack.startService(stack.service('intake'));
    await saga.waitForState(cmd.orderId, 'Awaiting_Shipment');
    const lines = await stack.db('order_lines').where({ order_id: cmd.orderId }).select('line_id', 'added_at', 'status');
    expect(new Set(lines.map((l) => l.added_at.getTime())).size).toBe(1); // the case under test: line ids alone order the rows, and 'A-…' sorts before 'L1'
    expect(lines.find((l) => l.line_id === `A-${add.eventId}`)!.status).toBe('active');
    const order = await saga.order(cmd.orderId);
    const approved = (await saga.payments(cmd.orderId)).filter((p) => p.operation === 'authorize' && p.status === 'approved');
    expect(approved.reduce((sum, p) => sum + Number(p.amount_minor), 0)).toBe(order.total_minor);
    const [requested] = await eventually('FulfillmentRequested', async () => saga.events(cmd.orderId, 'io.oms.fulfillment.FulfillmentRequested'));
    expect(requested!.value!.lines).toEqual([{ sku: LAMP, name: 'Lamp', quantity: 2 }, { sku: BULB, name: 'Bulb', quantity: 1 }]);
  }, 120_000);

  /**
   * Runs `act` with fraud stopped, then moves fraud's group on `oms.orders` past the first `skip` of
   * the `produced` messages `act` made on the order's partition, as past dead-lettered ones, and
   * starts fraud again.
   */
  async function fraudPassesOver(skip: number, act: () => Promise<{ produced: number }>): Promise<void> {
    await stack.stopService(fraud);
    const admin = stack.platform.kafka.admin();
    await admin.connect();
    try {
      const ordersTopic = stack.topic('orders');
      const ends = async () => new Map((await admin.fetchTopicOffsets(ordersTopic)).map((p) => [p.partition, Number(p.offset)]));
      const before = await ends();
      const { produced } = await act();
      const [partition, end] = [...(await ends())].find(([p, offset]) => offset - before.get(p)! === produced)!;
      await admin.setOffsets({ groupId: `g-${stack.prefix}-fraud`, topic: ordersTopic, partitions: [{ partition, offset: String(end - produced + skip) }] });
    } finally {
      await admin.disconnect();
    }
    fraud = await stack.startService(stack.service('fraud'));
    await saga.waitForIdle(groups);
  }

  it('when lines reach fraud before their order (the OrderPlaced dead-lettered, then replayed), then the order\'s check scores each on the total it was added at: the order ships with the cheap one and the costly one is refused', async () => {
    const cmd = aSubmitOrder({ lines: [{ sku: LAMP, name: 'Lamp', quantity: 1, unitPriceMinor: 3000, weightGrams: 1200 }] });
    let small = '';
    let huge = '';
    // the order's partition gets its OrderPlaced and two LineItemAdded; fraud's group moves past the first, as past a dead-lettered message
    await fraudPassesOver(1, async () => {
      await stack.publish('io.oms.commands.SubmitOrder', cmd);
      await saga.waitForState(cmd.orderId, 'Pending');
      small = `A-${(await saga.addLine(cmd.orderId, bulb)).eventId}`;
      huge = `A-${(await saga.addLine(cmd.orderId, yacht)).eventId}`;
      await eventually('two LineItemAdded', async () => saga.events(cmd.orderId, 'io.oms.orders.LineItemAdded').length === 2);
      return { produced: 3 };
    });
    expect((await saga.order(cmd.orderId)).state).toBe('Pending');
    expect(await lineChecks(cmd.orderId)).toEqual({}); // the lines are not scored before their order

    const [placed] = saga.events(cmd.orderId, 'io.oms.orders.OrderPlaced');
    await stack.sendRaw('orders', [{ key: cmd.orderId, value: placed!.raw }]); // the replay
    await saga.waitForState(cmd.orderId, 'Awaiting_Shipment');
    // the bulb on the lamp's and its own total, the yacht on all three: only the yacht fails
    expect(await lineChecks(cmd.orderId)).toEqual({ [small]: 'passed', [huge]: 'failed' });
    expect((await refusedLine(cmd.orderId, huge)).refused_reason).toBe('refused by fraud rules: fraud score 100: amount_above_fail_threshold:1000000');
    expect((await lineRows(cmd.orderId)).map((l) => [l.line_id, l.status])).toEqual([[small, 'active'], [huge, 'refused']]);
    const [requested] = await eventually('FulfillmentRequested', async () => saga.events(cmd.orderId, 'io.oms.fulfillment.FulfillmentRequested'));
    expect(requested!.value!.lines).toEqual([{ sku: LAMP, name: 'Lamp', quantity: 1 }, { sku: BULB, name: 'Bulb', quantity: 1 }]);
    const order = await saga.order(cmd.orderId);
    const approved = (await saga.payments(cmd.orderId)).filter((p) => p.operation === 'authorize' && p.status === 'approved');
    expect(approved.reduce((sum, p) => sum + Number(p.amount_minor), 0)).toBe(order.total_minor);
    expect(saga.events(cmd.orderId, 'io.oms.fraud.FraudCheckPassed').map((m) => m.value!.forLineId)).toEqual([null, small]);
    expect(saga.events(cmd.orderId, 'io.oms.fraud.FraudCheckFailed').map((m) => m.value!.forLineId)).toEqual([huge]);
    expect((await saga.stock(YACHT))!.reserved).toBe(0);
  }, 120_000);

  it('when lines of an order on hold reach its release unscored (fraud passed over their LineItemAdded), then the release scores each on the total it was added at: the cheap one is released and shipped, the costly one refused', async () => {
    const cmd = aSubmitOrder({ lines: [{ sku: LAMP, name: 'Espresso machine', quantity: 1, unitPriceMinor: 250000, weightGrams: 9000 }] });
    await stack.publish('io.oms.commands.SubmitOrder', cmd);
    await saga.waitForState(cmd.orderId, 'On_Hold');
    let small = '';
    let huge = '';
    await fraudPassesOver(2, async () => {
      small = `A-${(await saga.addLine(cmd.orderId, bulb)).eventId}`;
      huge = `A-${(await saga.addLine(cmd.orderId, yacht)).eventId}`;
      await eventually('two LineItemAdded', async () => saga.events(cmd.orderId, 'io.oms.orders.LineItemAdded').length === 2);
      return { produced: 2 };
    });
    expect(await lineChecks(cmd.orderId)).toEqual({});

    await saga.releaseHold(cmd.orderId);
    await saga.waitForState(cmd.orderId, 'Awaiting_Shipment');
    // the bulb scores a review on the espresso machine's total, which the release clears; the yacht fails on its own
    expect(await lineChecks(cmd.orderId)).toEqual({ [small]: 'released', [huge]: 'failed' });
    expect((await refusedLine(cmd.orderId, huge)).refused_reason).toBe('refused by fraud rules: fraud score 100: amount_above_fail_threshold:1000000');
    const [requested] = await eventually('FulfillmentRequested', async () => saga.events(cmd.orderId, 'io.oms.fulfillment.FulfillmentRequested'));
    expect(requested!.value!.lines).toEqual([{ sku: LAMP, name: 'Espresso machine', quantity: 1 }, { sku: BULB, name: 'Bulb', quantity: 1 }]);
    const order = await saga.order(cmd.orderId);
    const approved = (await saga.payments(cmd.orderId)).filter((p) => p.operation === 'authorize' && p.status === 'approved');
    expect(approved.reduce((sum, p) => sum + Number(p.amount_minor), 0)).toBe(order.total_minor);
    expect((await saga.stock(YACHT))!.reserved).toBe(0);
  }, 120_000);
});
