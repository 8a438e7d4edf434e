import { randomUUID } from 'crypto';
import { holdExpiry } from '../../services/inventory/hold-expiry';
import type { HousekeepingContext } from '../../shared/runner/handler';
import { stackOnScratchDatabase } from '../support/database';
import { SagaDriver } from '../support/saga';
import type { TestStack } from '../support/stack';

/**
 * A sweep of expired holds asks for them in batches, each from the last order the one before
 * asked for, up to its cap: after an outage of payment, the orders held since then are asked for
 * at once, not one batch a sweep. On a database of its own: the sweep reads every held reservation.
 */
describe('the hold-expiry sweep, batch after batch', () => {
  let scratch: Awaited<ReturnType<typeof stackOnScratchDatabase>>;
  let stack: TestStack;
  const expired: string[] = [];
  let freshHold: string;
  let paid: string;

  beforeAll(async () => {
    scratch = await stackOnScratchDatabase('oms_hold_batches');
    stack = scratch.stack;
    const saga = new SagaDriver(stack);
    await stack.provision();
    await stack.startService(stack.service('intake'));
    const hold = async (orderId: string, state: string, heldSecondsAgo: number) => {
      await stack.db('orders').where({ order_id: orderId }).update({ state });
      await stack.db('reservations').insert({ reservation_id: randomUUID(), order_id: orderId, line_id: null, status: 'held', created_at: new Date(Date.now() - heldSecondsAgo * 1000) });
    };
    for (let i = 0; i < 5; i++) expired.push((await saga.placed()).orderId);
    for (const id of expired) await hold(id, 'Processing', 3600);
    freshHold = (await saga.placed()).orderId;
    await hold(freshHold, 'Processing', 5);
    paid = (await saga.placed()).orderId;
    await hold(paid, 'Awaiting_Shipment', 3600);
    expired.sort();
  }, 120_000);
  afterAll(() => scratch?.close());

  /** One sweep as the runner runs it, its CancelOrders caught instead of sent. */
  async function sweep(batchSize: number, batches: number) {
    const sends: string[][] = [];
    const ctx = {
      transact: (fn) => stack.db.transaction(fn),
      publishCommands: async (_record: string, payloads: { orderId: string; reason: string }[]) => {
        sends.push(payloads.map((p) => p.orderId));
        expect(payloads.every((p) => p.reason === 'reservation_expired')).toBe(true);
        return [];
      },
      log: stack.platform.log,
    } as HousekeepingContext;
    const asked = await holdExpiry(60, 60_000, batchSize, batches).run(ctx);
    return { asked, sends };
  }

  it('when more holds are due than one batch takes, then one sweep asks for each once, in key order, batch after batch; a fresh hold and a paid order are left alone', async () => {
    const { asked, sends } = await sweep(2, 10);
    expect(asked).toBe(5);
    expect(sends).toEqual([expired.slice(0, 2), expired.slice(2, 4), expired.slice(4)]);
    expect(sends.flat()).not.toContain(freshHold);
    expect(sends.flat()).not.toContain(paid);
  });

  it('when the due holds outnumber the sweep\'s batches, then it stops at its cap and the next sweep asks again for what is still Processing', async () => {
    const first = await sweep(2, 2);
    expect(first.asked).toBe(4);
    expect(first.sends).toEqual([expired.slice(0, 2), expired.slice(2, 4)]);
    await stack.db('orders').whereIn('order_id', expired.slice(0, 4)).update({ state: 'Cancelled' }); // as intake would on their CancelOrders
    const next = await sweep(2, 2);
    expect(next.sends).toEqual([expired.slice(4)]);
  });
});
