import { dlqName } from '../../shared/topics';
import { TEST_DATABASE_URL } from '../support/env';
import { aSubmitOrder } from '../support/orders';
import { PgBouncer } from '../support/pgbouncer';
import { ALL_TOPICS, SagaDriver } from '../support/saga';
import { eventually, TestStack } from '../support/stack';

/**
 * The whole fleet reaching Postgres through a real PgBouncer in transaction mode: each
 * transaction may get another server connection, so nothing may rest on a session (named
 * prepared statements do, hence DATABASE_NAMED_STATEMENTS=false; `-c` options are refused, hence
 * an empty DATABASE_RANDOM_PAGE_COST). The pipelined transactions' BEGIN, queued writes and COMMIT
 * ride in the same round trips as directly.
 */
describe('order saga through PgBouncer in transaction mode', () => {
  const SERVICES = ['intake', 'fraud', 'inventory', 'payment', 'fulfillment', 'notifications'] as const;
  let bouncer: PgBouncer;
  let stack: TestStack;
  let saga: SagaDriver;
  let MUG: string;

  beforeAll(async () => {
    bouncer = await PgBouncer.start(TEST_DATABASE_URL, 'transaction');
    stack = new TestStack({ DATABASE_URL: bouncer.url, DATABASE_NAMED_STATEMENTS: 'false', DATABASE_RANDOM_PAGE_COST: '' });
    saga = new SagaDriver(stack);
    MUG = `MUG-${stack.prefix.slice(1, 9)}`;
    await stack.provision();
    await stack.watch(ALL_TOPICS.flatMap((t) => [stack.topic(t), dlqName(stack.topic(t))]));
    for (const s of SERVICES) await stack.startService(stack.service(s));
    await saga.setStock(MUG, 100);
  }, 120000);
  afterAll(async () => {
    await stack?.close();
    await bouncer?.stop();
  });

  const mugOrder = () => aSubmitOrder({ lines: [{ sku: MUG, name: 'Mug', quantity: 1, unitPriceMinor: 1000, weightGrams: 300 }] });

  it('when orders run to delivery and one is cancelled awaiting shipment, then every step and compensation is stored as directly, nothing is dead-lettered, and the transactions went through PgBouncer', async () => {
    const delivered = Array.from({ length: 5 }, mugOrder);
    const cancelled = mugOrder();
    for (const cmd of [...delivered, cancelled]) await stack.publish('io.oms.commands.SubmitOrder', cmd);
    for (const cmd of [...delivered, cancelled]) await saga.waitForState(cmd.orderId, 'Awaiting_Shipment');

    await saga.cancel(cancelled.orderId);
    for (const cmd of delivered) await saga.dispatch(cmd.orderId);
    for (const cmd of delivered) await saga.waitForState(cmd.orderId, 'Shipped');
    for (const cmd of delivered) await saga.deliver(cmd.orderId);
    for (const cmd of delivered) await saga.waitForState(cmd.orderId, 'Delivered');

    await saga.waitForState(cancelled.orderId, 'Cancelled');
    expect(await saga.waitForCompensation(cancelled.orderId)).toEqual({ inventory: 'released', payment: 'voided', warehouse: 'told', customer: 'notified' });
    for (const cmd of delivered) {
      const payments = await eventually(`capture of ${cmd.orderId}`, async () => {
        const rows = await saga.payments(cmd.orderId);
        return rows.some((p) => p.operation === 'capture') ? rows : null;
      });
      expect(payments.map((p) => [p.operation, p.status])).toEqual([['authorize', 'approved'], ['capture', 'approved']]);
    }
    expect(await saga.stock(MUG)).toEqual({ on_hand: 95, reserved: 0 });
    expect(stack.messages((m) => m.topic.endsWith('.dlq'))).toEqual([]);

    // the fleet's own transactions went through PgBouncer: one more order, watched on Kafka only, so the test makes none itself meanwhile
    const database = new URL(TEST_DATABASE_URL).pathname.slice(1);
    const transactions = async () => Number((await bouncer.show('STATS')).find((row) => row.database === database)?.total_xact_count);
    const before = await transactions();
    const probe = mugOrder();
    await stack.publish('io.oms.commands.SubmitOrder', probe);
    await eventually('the probe order sent to the warehouse', async () => stack.messages((m) => m.key === probe.orderId && m.recordName === 'io.oms.fulfillment.FulfillmentRequested').length > 0);
    // at least one each of intake, fraud, inventory, payment and fulfillment on its way
    expect((await transactions()) - before).toBeGreaterThanOrEqual(5);
  });
});
