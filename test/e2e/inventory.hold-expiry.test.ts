import { stackOnScratchDatabase } from '../support/database';
import { aSubmitOrder } from '../support/orders';
import { SagaDriver } from '../support/saga';
import { eventually, type TestStack } from '../support/stack';

/**
 * Reservation holds expire (DESIGN): an order whose stock is held while its payment never comes is
 * cancelled, and its stock released; an order that got its payment keeps its hold. On a database
 * of its own: the sweep looks at every held reservation, other test files' included.
 */
describe('reservation holds that expire', () => {
  let scratch: Awaited<ReturnType<typeof stackOnScratchDatabase>>;
  let stack: TestStack;
  let saga: SagaDriver;
  const SKU = `HOLD-${Date.now().toString(36)}`;
  const cancellations = (orderId: string) => stack.db('order_status_history').where({ order_id: orderId, to_state: 'Cancelled', refused: false });

  beforeAll(async () => {
    scratch = await stackOnScratchDatabase('oms_hold_expiry', { RESERVATION_HOLD_SECONDS: '1', RESERVATION_EXPIRY_INTERVAL_MS: '200' });
    stack = scratch.stack;
    saga = new SagaDriver(stack);
    await stack.provision();
    await stack.watch([stack.topic('orderCommands')]);
    // no payment service yet: a reserved order waits for an authorization that does not come
    for (const s of ['intake', 'fraud', 'inventory', 'fulfillment', 'notifications'] as const) await stack.startService(stack.service(s));
    await saga.setStock(SKU, 10);
    await eventually('stock set', () => saga.stock(SKU));
  }, 120_000);
  afterAll(() => scratch?.close());

  it('when an order holds stock past RESERVATION_HOLD_SECONDS without a payment, then it is cancelled as reservation_expired, its stock released, and compensated in full once payment runs', async () => {
    const order = aSubmitOrder({ lines: [{ sku: SKU, name: 'Widget', quantity: 2, unitPriceMinor: 1000, weightGrams: 100 }] });
    await stack.publish('io.oms.commands.SubmitOrder', order);
    await eventually('stock held', async () => Number((await saga.stock(SKU))!.reserved) === 2);

    const cancelled = await saga.waitForState(order.orderId, 'Cancelled', 20_000);
    expect(cancelled.cancel_reason).toBe('reservation_expired');
    await eventually('hold released', async () => Number((await saga.stock(SKU))!.reserved) === 0);
    expect(await saga.reservations(order.orderId)).toEqual([{ status: 'released', line_id: null }]);
    const asked = stack.messages((m) => m.key === order.orderId && m.recordName === 'io.oms.commands.CancelOrder');
    expect(asked.length).toBeGreaterThanOrEqual(1);
    expect(asked[0]!.value).toMatchObject({ reason: 'reservation_expired', requestedBy: 'inventory' });

    // payment comes back: it records that there was nothing to void, and the compensation is complete
    await stack.startService(stack.service('payment'));
    expect(await saga.waitForCompensation(order.orderId)).toMatchObject({ inventory: 'released', customer: 'notified' });
    expect(await cancellations(order.orderId)).toHaveLength(1);
  }, 60_000);

  it('when an order got its payment, then its hold outlives RESERVATION_HOLD_SECONDS: it waits for the warehouse', async () => {
    const order = aSubmitOrder({ lines: [{ sku: SKU, name: 'Widget', quantity: 3, unitPriceMinor: 1000, weightGrams: 100 }] });
    await stack.publish('io.oms.commands.SubmitOrder', order);
    await saga.waitForState(order.orderId, 'Awaiting_Shipment');
    await new Promise((r) => setTimeout(r, 2500)); // past the hold time, over a dozen sweeps
    expect((await saga.order(order.orderId))!.state).toBe('Awaiting_Shipment');
    expect(await saga.reservations(order.orderId)).toEqual([{ status: 'held', line_id: null }]);
    expect(Number((await saga.stock(SKU))!.reserved)).toBe(3);
    expect(stack.messages((m) => m.key === order.orderId && m.recordName === 'io.oms.commands.CancelOrder')).toHaveLength(0);
  }, 60_000);

  it('when an expiry cancel arrives after the order was paid and sent to the warehouse (intake behind), then it is refused with a reason and the order goes on', async () => {
    const order = aSubmitOrder({ lines: [{ sku: SKU, name: 'Widget', quantity: 1, unitPriceMinor: 1000, weightGrams: 100 }] });
    await stack.publish('io.oms.commands.SubmitOrder', order);
    await saga.waitForState(order.orderId, 'Awaiting_Shipment');
    // what a sweep sent while the payment was still pending, handled late
    await saga.cancel(order.orderId, 'reservation_expired');
    const refused = await eventually('refusal in the history', async () => stack.db('order_status_history').where({ order_id: order.orderId, to_state: 'Cancelled', refused: true }).first());
    expect(refused).toMatchObject({ from_state: 'Awaiting_Shipment', cause_type: 'CancelOrder', reason: expect.stringContaining('Awaiting_Shipment → Cancelled is not allowed for CancelOrder') });
    expect((await saga.order(order.orderId))!.state).toBe('Awaiting_Shipment');
    expect(await saga.reservations(order.orderId)).toEqual([{ status: 'held', line_id: null }]);
    expect(await cancellations(order.orderId)).toHaveLength(0);
  }, 60_000);
});
