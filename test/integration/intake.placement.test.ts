import type { ConsumerRunner } from '../../shared/runner/consumer-runner';
import { aSubmitOrder } from '../support/orders';
import { SagaDriver } from '../support/saga';
import { eventually, TestStack } from '../support/stack';

describe('intake through the real broker, registry and status store', () => {
  const stack = new TestStack();
  const saga = new SagaDriver(stack);
  let intake: ConsumerRunner;

  beforeAll(async () => {
    await stack.provision();
    await stack.watch([stack.topic('orders')]);
    intake = await stack.startService(stack.service('intake'));
  });
  afterAll(() => stack.close());

  const orderRow = (orderId: string) => stack.db('orders').where({ order_id: orderId }).first();
  const eventsFor = (orderId: string, record: string) => stack.messages((m) => m.key === orderId && m.recordName === record);

  it('when a valid SubmitOrder arrives, then the order is stored Pending, priced, and OrderPlaced is published', async () => {
    const cmd = aSubmitOrder();
    await stack.publish('io.oms.commands.SubmitOrder', cmd);

    const order = await eventually('order stored', () => orderRow(cmd.orderId));
    expect(order.state).toBe('Pending');
    expect(order.subtotal_minor).toBe(2 * 1250 + 899);
    expect(order.total_minor).toBe(order.subtotal_minor + order.shipping_minor + order.tax_minor - order.discount_minor);
    expect(order.tracking_token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const lines = await stack.db('order_lines').where({ order_id: cmd.orderId }).orderBy('line_id');
    expect(lines.map((l) => [l.sku, l.quantity, l.line_total_minor])).toEqual([['SKU-MUG', 2, 2250], ['SKU-TEA', 1, 899]]);
    const history = await stack.db('order_status_history').where({ order_id: cmd.orderId });
    expect(history).toEqual([expect.objectContaining({ from_state: null, to_state: 'Pending', refused: false, cause_event_id: cmd.eventId, cause_type: 'SubmitOrder' })]);

    const [placed] = await eventually('OrderPlaced on oms.orders', async () => eventsFor(cmd.orderId, 'io.oms.orders.OrderPlaced'));
    expect(placed!.value).toMatchObject({
      orderId: cmd.orderId,
      correlationId: cmd.correlationId,
      causationId: cmd.eventId,
      producer: 'intake',
      orderVersion: 1,
      pricing: { subtotalMinor: 3399, totalMinor: order.total_minor },
    });
  });

  it('when the same SubmitOrder is delivered three times, then one order and one OrderPlaced exist', async () => {
    const cmd = aSubmitOrder();
    for (let i = 0; i < 3; i++) await stack.publish('io.oms.commands.SubmitOrder', cmd);
    // A fourth command with the same key lands behind the copies on the same partition: once it
    // is in the inbox, every copy has been consumed.
    const marker = aSubmitOrder({ orderId: cmd.orderId });
    await stack.publish('io.oms.commands.SubmitOrder', marker);
    await eventually('marker consumed', async () => (await stack.db('inbox').where({ consumer: 'intake', event_id: marker.eventId }).first()) ?? null);
    await eventually('OrderPlaced', async () => eventsFor(cmd.orderId, 'io.oms.orders.OrderPlaced').length > 0);

    expect(await stack.db('orders').where({ order_id: cmd.orderId }).count('* as n').first()).toEqual({ n: 1 });
    expect((await orderRow(cmd.orderId)).channel_order_ref).toBe(cmd.channelOrderRef);
    expect(await stack.db('order_status_history').where({ order_id: cmd.orderId }).count('* as n').first()).toEqual({ n: 1 });
    expect(eventsFor(cmd.orderId, 'io.oms.orders.OrderPlaced')).toHaveLength(1);
  });

  it('when a channel resubmits its order reference under a new order id, then no second order is created', async () => {
    const first = aSubmitOrder();
    const again = aSubmitOrder({ channel: first.channel, channelOrderRef: first.channelOrderRef });
    await stack.publish('io.oms.commands.SubmitOrder', first);
    await stack.publish('io.oms.commands.SubmitOrder', again);
    await eventually('first order stored', () => orderRow(first.orderId));
    await eventually('the resubmission consumed', async () => (await stack.db('inbox').where({ consumer: 'intake', event_id: again.eventId }).first()) ?? null);
    expect(await orderRow(again.orderId)).toBeUndefined();
  });

  it('when a SubmitOrder is invalid, then the order is stored Rejected with readable reasons and OrderRejected is published', async () => {
    const cmd = aSubmitOrder({
      currency: 'XXX',
      lines: [{ sku: 'SKU-MUG', name: 'Mug', quantity: 0, unitPriceMinor: -5, weightGrams: 10 }],
      customer: { ...aSubmitOrder().customer, email: 'not-an-email' },
    });
    await stack.publish('io.oms.commands.SubmitOrder', cmd);

    const order = await eventually('rejected order stored', () => orderRow(cmd.orderId));
    expect(order.state).toBe('Rejected');
    const fields = (order.rejection_reasons as { field: string; message: string }[]).map((r) => r.field).sort();
    expect(fields).toEqual(['currency', 'customer.email', 'lines[0].quantity', 'lines[0].unitPriceMinor']);
    expect(order.rejection_reasons[0].message).toMatch(/\w+ \w+/);
    const [history] = await stack.db('order_status_history').where({ order_id: cmd.orderId });
    expect(history).toMatchObject({ from_state: null, to_state: 'Rejected', cause_event_id: cmd.eventId });
    expect(history.reason).toContain('currency "XXX" is not supported');

    const [rejected] = await eventually('OrderRejected', async () => eventsFor(cmd.orderId, 'io.oms.orders.OrderRejected'));
    expect((rejected!.value!.reasons as unknown[]).length).toBe(4);
  });

  it('when a backlog holds new orders and, behind them, commands about them, then the new orders are stored first and each command finds its order', async () => {
    await stack.stopService(intake);
    const [withLine, cancelled, repeated] = [aSubmitOrder(), aSubmitOrder(), aSubmitOrder()];
    for (const cmd of [withLine, cancelled, repeated]) await stack.publish('io.oms.commands.SubmitOrder', cmd);
    await saga.addLine(withLine.orderId, { sku: 'SKU-TEA', name: 'Tea', quantity: 3, unitPriceMinor: 899, weightGrams: 260 });
    await saga.cancel(cancelled.orderId);
    const sameIdNewRef = aSubmitOrder({ orderId: repeated.orderId });
    await stack.publish('io.oms.commands.SubmitOrder', sameIdNewRef);
    intake = await stack.startService(stack.service('intake'));

    await eventually('the backlog consumed', async () => (await stack.db('inbox').where({ consumer: 'intake', event_id: sameIdNewRef.eventId }).first()) ?? null);
    const addedLine = await eventually('added line stored', () => stack.db('order_lines').where({ order_id: withLine.orderId, origin: 'added' }).first());
    expect(addedLine).toMatchObject({ sku: 'SKU-TEA', quantity: 3, status: 'pending' });
    expect(await orderRow(withLine.orderId)).toMatchObject({ state: 'Pending', version: 2, subtotal_minor: 3399 + 3 * 899 });
    expect(await eventually('LineItemAdded', async () => eventsFor(withLine.orderId, 'io.oms.orders.LineItemAdded').length === 1)).toBe(true);
    expect(await orderRow(cancelled.orderId)).toMatchObject({ state: 'Cancelled', cancel_reason: 'customer_request' });
    expect((await saga.history(cancelled.orderId)).map((h) => [h.from_state, h.to_state, h.refused])).toEqual([[null, 'Pending', false], ['Pending', 'Cancelled', false]]);
    // the same order id under a new channel reference is a repeat: the first submission's order stays
    expect(await orderRow(repeated.orderId)).toMatchObject({ channel_order_ref: repeated.channelOrderRef });
    expect(await eventually('OrderPlaced', async () => eventsFor(repeated.orderId, 'io.oms.orders.OrderPlaced').length > 0)).toBe(true);
    expect(eventsFor(repeated.orderId, 'io.oms.orders.OrderPlaced')).toHaveLength(1);
  });

  it('when an added line holds a NUL character in its name or SKU, then it is stored refused with the reason, not dead-lettered', async () => {
    const cmd = aSubmitOrder();
    await stack.publish('io.oms.commands.SubmitOrder', cmd);
    await eventually('order stored', () => orderRow(cmd.orderId));
    await saga.addLine(cmd.orderId, { sku: 'SKU-TEA', name: 'Tea\u0000', quantity: 1, unitPriceMinor: 899, weightGrams: 260 });
    await saga.addLine(cmd.orderId, { sku: 'SKU\u0000TEA', name: 'Tea', quantity: 1, unitPriceMinor: 899, weightGrams: 260 });
    const refused = await eventually('both lines refused', async () => {
      const rows = await stack.db('order_lines').where({ order_id: cmd.orderId, origin: 'added', status: 'refused' });
      return rows.length === 2 ? rows.sort((a, b) => a.refused_reason.localeCompare(b.refused_reason)) : null;
    });
    expect(refused.map((l) => l.refused_reason)).toEqual([
      expect.stringContaining('line.name contains a NUL character'),
      expect.stringContaining('line.sku must be 1-64 letters'),
    ]);
    expect(refused.map((l) => [l.sku, l.name])).toEqual([['SKU-TEA', 'Tea\uFFFD'], ['SKU\uFFFDTEA', 'Tea']]);
    expect(await orderRow(cmd.orderId)).toMatchObject({ version: 1 });
  });
});
