import { randomUUID } from 'crypto';
import { Cause, transitionOrder, transitionOrders } from '../../shared/order-state';
import { intakeOnlyStack } from '../support/saga';

/** The one-statement guarded transition against Postgres: applied, refused, unknown, and racing writers. */
describe('transitionOrder (one statement: lock, guard, update, history)', () => {
  const { stack, saga } = intakeOnlyStack();
  const cause = (type: string): Cause => ({ eventId: randomUUID(), type });

  const placed = async () => (await saga.placed()).orderId;
  const history = (orderId: string) => stack.db('order_status_history').where({ order_id: orderId }).orderBy('id');
  const order = (orderId: string) => stack.db('orders').where({ order_id: orderId }).first('state', 'version', 'cancel_reason');

  it('applies an allowed move: new state and version, one history row with its cause and reason', async () => {
    const orderId = await placed();
    const before = await order(orderId);
    const c = cause('FraudCheckPassed');
    const result = await stack.db.transaction((trx) => transitionOrder(trx, orderId, 'Processing', c, { reason: 'score 3' }));

    expect(result).toEqual({ applied: true, from: 'Pending', to: 'Processing', version: before.version + 1 });
    expect(await order(orderId)).toMatchObject({ state: 'Processing', version: before.version + 1, cancel_reason: null });
    expect((await history(orderId)).at(-1)).toMatchObject({
      from_state: 'Pending', to_state: 'Processing', refused: false, reason: 'score 3', cause_event_id: c.eventId, cause_type: 'FraudCheckPassed', order_version: before.version + 1,
    });
  });

  it('refuses a move the table forbids, and one narrowed by onlyFrom: state untouched, refusal recorded with its reason', async () => {
    const orderId = await placed();
    const before = await order(orderId);

    const skip = await stack.db.transaction((trx) => transitionOrder(trx, orderId, 'Delivered', cause('ShipmentDelivered')));
    expect(skip).toEqual({ applied: false, from: 'Pending', to: 'Delivered', version: before.version, reason: 'Pending → Delivered is not allowed' });

    const narrowed = await stack.db.transaction((trx) => transitionOrder(trx, orderId, 'Processing', cause('ReleaseOrderHold'), { onlyFrom: ['On_Hold'], reason: 'released by ops' }));
    expect(narrowed).toMatchObject({ applied: false, from: 'Pending', reason: 'Pending → Processing is not allowed for ReleaseOrderHold (released by ops)' });

    expect(await order(orderId)).toMatchObject({ state: 'Pending', version: before.version });
    const refused = (await history(orderId)).filter((h) => h.refused);
    expect(refused.map((h) => [h.to_state, h.order_version])).toEqual([['Delivered', before.version], ['Processing', before.version]]);
  });

  it('stores the cancel reason only on a cancellation that applies', async () => {
    const orderId = await placed();
    const result = await stack.db.transaction((trx) => transitionOrder(trx, orderId, 'Cancelled', cause('CancelOrder'), { cancelReason: 'customer_request' }));
    expect(result).toMatchObject({ applied: true, from: 'Pending', to: 'Cancelled' });
    expect(await order(orderId)).toMatchObject({ state: 'Cancelled', cancel_reason: 'customer_request' });
    expect((await history(orderId)).at(-1)).toMatchObject({ to_state: 'Cancelled', refused: false, reason: 'customer_request' });
  });

  it('records an unknown order as a refusal', async () => {
    const orderId = randomUUID();
    const result = await stack.db.transaction((trx) => transitionOrder(trx, orderId, 'Shipped', cause('ShipmentDispatched')));
    expect(result).toEqual({ applied: false, from: null, to: 'Shipped', version: null, reason: 'unknown order' });
    expect(await history(orderId)).toEqual([expect.objectContaining({ refused: true, reason: 'unknown order', order_version: 0 })]);
  });

  it('when two writers race, the second waits for the lock and decides from the state the first committed', async () => {
    const orderId = await placed();
    await stack.db.transaction((trx) => transitionOrder(trx, orderId, 'Processing', cause('FraudCheckPassed')));
    const { version } = await order(orderId);

    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((r) => (releaseFirst = r));
    let firstMoved!: () => void;
    const firstHasMoved = new Promise<void>((r) => (firstMoved = r));
    const first = stack.db.transaction(async (trx) => {
      const r = await transitionOrder(trx, orderId, 'Awaiting_Shipment', cause('PaymentAuthorized'));
      firstMoved();
      await firstHolds;
      return r;
    });
    await firstHasMoved;
    const cancel = stack.db.transaction((trx) => transitionOrder(trx, orderId, 'Cancelled', cause('CancelOrder'), { cancelReason: 'customer_request' }));
    const again = stack.db.transaction((trx) => transitionOrder(trx, orderId, 'Awaiting_Shipment', cause('PaymentAuthorized')));
    await new Promise((r) => setTimeout(r, 300)); // both are now blocked on the first one's row lock
    releaseFirst();

    expect(await first).toEqual({ applied: true, from: 'Processing', to: 'Awaiting_Shipment', version: version + 1 });
    // whichever of the two got the lock next, each decided from what was committed before it
    expect(await cancel).toEqual({ applied: true, from: 'Awaiting_Shipment', to: 'Cancelled', version: version + 2 });
    const a = await again;
    expect(a.applied).toBe(false);
    expect([`${a.from} → Awaiting_Shipment is not allowed`]).toContain(a.applied ? '' : a.reason);
    expect(['Awaiting_Shipment', 'Cancelled']).toContain(a.from);
    expect(await order(orderId)).toMatchObject({ state: 'Cancelled', version: version + 2 });
    const applied = (await history(orderId)).filter((h) => !h.refused).map((h) => [h.from_state, h.to_state, h.order_version]);
    expect(applied.slice(-2)).toEqual([['Processing', 'Awaiting_Shipment', version + 1], ['Awaiting_Shipment', 'Cancelled', version + 2]]);
  });

  it('transitionOrders moves many orders in one statement, refuses the rest through the one-order path, and answers in request order', async () => {
    const [pendingA, pendingB, processing] = [await placed(), await placed(), await placed()];
    await stack.db.transaction((trx) => transitionOrder(trx, processing, 'Processing', cause('FraudCheckPassed')));
    const unknown = randomUUID();
    const before = { a: await order(pendingA), b: await order(pendingB), p: await order(processing) };
    const c = { a: cause('FraudCheckPassed'), b: cause('CancelOrder'), p: cause('ShipmentDispatched'), u: cause('ShipmentDispatched') };

    const results = await stack.db.transaction((trx) => transitionOrders(trx, [
      { orderId: pendingB.toUpperCase(), to: 'Cancelled', cause: c.b, options: { cancelReason: 'customer_request' } },
      { orderId: processing, to: 'Shipped', cause: c.p, options: { onlyFrom: ['Awaiting_Shipment'] } },
      { orderId: unknown, to: 'Shipped', cause: c.u },
      { orderId: pendingA, to: 'Processing', cause: c.a, options: { reason: 'score 3' } },
    ]));

    expect(results).toEqual([
      { applied: true, from: 'Pending', to: 'Cancelled', version: before.b.version + 1 },
      { applied: false, from: 'Processing', to: 'Shipped', version: before.p.version, reason: 'Processing → Shipped is not allowed for ShipmentDispatched' },
      { applied: false, from: null, to: 'Shipped', version: null, reason: 'unknown order' },
      { applied: true, from: 'Pending', to: 'Processing', version: before.a.version + 1 },
    ]);
    expect(await order(pendingB)).toMatchObject({ state: 'Cancelled', cancel_reason: 'customer_request', version: before.b.version + 1 });
    expect(await order(pendingA)).toMatchObject({ state: 'Processing', cancel_reason: null });
    expect(await order(processing)).toMatchObject({ state: 'Processing', version: before.p.version });
    expect((await history(pendingA)).at(-1)).toMatchObject({ from_state: 'Pending', to_state: 'Processing', refused: false, reason: 'score 3', cause_event_id: c.a.eventId, order_version: before.a.version + 1 });
    expect((await history(pendingB)).at(-1)).toMatchObject({ to_state: 'Cancelled', refused: false, reason: 'customer_request', cause_type: 'CancelOrder' });
    expect((await history(processing)).at(-1)).toMatchObject({ to_state: 'Shipped', refused: true, cause_event_id: c.p.eventId });
    expect(await history(unknown)).toEqual([expect.objectContaining({ refused: true, reason: 'unknown order' })]);
  });

  it('transitionOrders takes one request per order (a second move of the same order needs the outcome of the first)', async () => {
    const orderId = await placed();
    await expect(stack.db.transaction((trx) => transitionOrders(trx, [
      { orderId, to: 'Processing', cause: cause('FraudCheckPassed') },
      { orderId: orderId.toUpperCase(), to: 'Awaiting_Shipment', cause: cause('PaymentAuthorized') },
    ]))).rejects.toThrow('one request per order');
    expect(await order(orderId)).toMatchObject({ state: 'Pending' });
  });
});
