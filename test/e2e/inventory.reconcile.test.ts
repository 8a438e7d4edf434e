import { execFile } from 'child_process';
import { join } from 'path';
import { promisify } from 'util';
import { reconcileReserved } from '../../services/inventory/reconcile-reserved';
import { aSubmitOrder } from '../support/orders';
import { SagaDriver } from '../support/saga';
import { eventually, TestStack } from '../support/stack';

const run = promisify(execFile);

/**
 * Reserved counts that drifted from the reservation rows (a hand edit, a restored backup) are
 * rebuilt from the held reservations, and the saga goes on from the rebuilt counts.
 */
describe('reconciling reserved stock with the reservation rows', () => {
  const stack = new TestStack();
  const saga = new SagaDriver(stack);
  const [A, B] = ['A', 'B'].map((s) => `RECON-${s}-${stack.prefix.slice(1, 9)}`) as [string, string];
  const reserved = async (sku: string) => Number((await saga.stock(sku))!.reserved);

  beforeAll(async () => {
    await stack.provision();
    for (const s of ['intake', 'fraud', 'inventory', 'payment', 'fulfillment', 'notifications'] as const) await stack.startService(stack.service(s));
    await saga.setStock(A, 10);
    await saga.setStock(B, 10);
    await eventually('stock set', async () => (await saga.stock(A)) && (await saga.stock(B)));
  }, 120000);
  afterAll(() => stack.close());

  it('when reserved counts drift, then a dry run reports them, the reconciliation corrects them, and a cancellation releases from the corrected counts', async () => {
    const line = (sku: string, quantity: number) => ({ sku, name: 'Widget', quantity, unitPriceMinor: 1000, weightGrams: 100 });
    const first = aSubmitOrder({ lines: [line(A, 2)] });
    const second = aSubmitOrder({ lines: [line(A, 1), line(B, 3)] });
    for (const o of [first, second]) await stack.publish('io.oms.commands.SubmitOrder', o);
    for (const o of [first, second]) await saga.waitForState(o.orderId, 'Awaiting_Shipment');
    expect([await reserved(A), await reserved(B)]).toEqual([3, 3]);
    expect(await reconcileReserved(stack.db, { skus: [A, B] })).toEqual([]);

    await stack.db('stock_levels').where({ sku: A }).update({ reserved: 7 });
    await stack.db('stock_levels').where({ sku: B }).update({ reserved: 0 });
    const drift = [
      { sku: A, location: 'main', reserved: 7, held: 3 },
      { sku: B, location: 'main', reserved: 0, held: 3 },
    ];
    expect(await reconcileReserved(stack.db, { skus: [A, B], dryRun: true })).toEqual(drift);
    expect([await reserved(A), await reserved(B)]).toEqual([7, 0]);

    // the support CLI, as an operator runs it
    const env = { ...process.env, DATABASE_URL: stack.platform.config.DATABASE_URL, LOG_LEVEL: 'warn' };
    const { stdout } = await run(process.execPath, [join(__dirname, '../../node_modules/.bin/ts-node'), '--transpile-only', join(__dirname, '../../services/cli/main.ts'), '--json', 'inventory', 'reconcile', '--sku', A, B], { env, timeout: 60000 });
    expect(JSON.parse(stdout)).toEqual({ corrected: 2, drift });
    expect([await reserved(A), await reserved(B)]).toEqual([3, 3]);

    await saga.cancel(second.orderId);
    await saga.waitForState(second.orderId, 'Cancelled');
    expect(await saga.waitForCompensation(second.orderId)).toMatchObject({ inventory: 'released' });
    expect([await reserved(A), await reserved(B)]).toEqual([2, 0]);
    expect(await reconcileReserved(stack.db, { skus: [A, B] })).toEqual([]);
  }, 90000);

  it('when orders reserve while it runs again and again, then it never sees a difference (it counts only between whole reservations) and leaves the counts right', async () => {
    const [C, D] = ['C', 'D'].map((s) => `RECON-${s}-${stack.prefix.slice(1, 9)}`) as [string, string];
    await saga.setStock(C, 1000);
    await saga.setStock(D, 1000);
    await eventually('stock set', async () => (await saga.stock(C)) && (await saga.stock(D)));
    const orders = Array.from({ length: 200 }, (_, i) => aSubmitOrder({ lines: [{ sku: i % 2 ? C : D, name: 'Widget', quantity: 1 + (i % 3), unitPriceMinor: 1000, weightGrams: 100 }] }));
    const producer = stack.platform.kafka.producer();
    await producer.connect();
    const topic = stack.topic('orderCommands');
    let flowing = true;
    const seen: unknown[] = [];
    let runs = 0;
    const reconciling = (async () => {
      while (flowing) {
        seen.push(...(await reconcileReserved(stack.db, { skus: [C, D] })));
        runs++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      for (let i = 0; i < orders.length; i += 20) {
        const batch = orders.slice(i, i + 20);
        await producer.send({ topic, messages: await Promise.all(batch.map(async (o) => ({ key: o.orderId, value: await stack.platform.codec.encode(topic, 'io.oms.commands.SubmitOrder', o) }))) });
      }
      for (const o of orders) await saga.waitForState(o.orderId, 'Awaiting_Shipment');
    } finally {
      flowing = false;
      await reconciling;
      await producer.disconnect();
    }
    expect(runs).toBeGreaterThan(5);
    expect(seen).toEqual([]);
    const units = (sku: string) => orders.filter((o) => o.lines[0]!.sku === sku).reduce((n, o) => n + o.lines[0]!.quantity, 0);
    expect([await reserved(C), await reserved(D)]).toEqual([units(C), units(D)]);
  }, 120000);
});
