import type { Consumer } from 'kafkajs';
import { randomUUID } from 'crypto';
import { aSubmitOrder } from '../support/orders';
import { SagaDriver } from '../support/saga';
import { eventually, TestStack } from '../support/stack';

const ORDERS = Number(process.env.SCARCE_STOCK_ORDERS ?? 2000);
const STOCK_PER_SKU = Math.round(ORDERS * 0.15);

/**
 * Many orders race for little stock, with two inventory instances in one consumer group splitting
 * the partitions. A warehouse double ships and delivers every FulfillmentRequested.
 */
describe(`${ORDERS} orders over 5 SKUs with scarce stock and two inventory instances`, () => {
  const stack = new TestStack({ DATABASE_POOL_MAX: '20' });
  const saga = new SagaDriver(stack);
  const SKUS = [1, 2, 3, 4, 5].map((i) => `HOT${i}-${stack.prefix.slice(1, 9)}`);
  let warehouse: Consumer;

  beforeAll(async () => {
    await stack.provision();
    for (const s of ['intake', 'fraud', 'inventory', 'inventory', 'payment', 'fulfillment', 'notifications'] as const) await stack.startService(stack.service(s));
    for (const sku of SKUS) await saga.setStock(sku, STOCK_PER_SKU);
    warehouse = stack.platform.kafka.consumer({ groupId: `warehouse-${randomUUID()}`, maxWaitTimeInMs: 100 });
    await warehouse.connect();
    await warehouse.subscribe({ topics: [stack.topic('fulfillmentRequests')], fromBeginning: true });
    await warehouse.run({
      eachMessage: async ({ message }) => {
        const { recordName, value } = await stack.platform.codec.decode(message.value);
        if (recordName !== 'io.oms.fulfillment.FulfillmentRequested') return;
        const orderId = value.orderId as string;
        await saga.dispatch(orderId);
        await saga.deliver(orderId);
      },
    });
  }, 120000);
  afterAll(async () => {
    await warehouse?.disconnect();
    await stack.close();
  });

  it('when they all run, then no unit is oversold, every order ends Delivered or Cancelled(out_of_stock), and stock balances', async () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const orders = Array.from({ length: ORDERS }, () =>
      aSubmitOrder({
        lines: Array.from({ length: 1 + rand(2) }, () => ({ sku: SKUS[rand(5)]!, name: 'Hot item', quantity: 1 + rand(3), unitPriceMinor: 1500, weightGrams: 100 })),
      }),
    );
    const codec = stack.platform.codec;
    const topic = stack.topic('orderCommands');
    const producer = stack.platform.kafka.producer();
    await producer.connect();
    for (let i = 0; i < orders.length; i += 250) {
      const batch = orders.slice(i, i + 250);
      const messages = await Promise.all(batch.map(async (o) => ({ key: o.orderId, value: await codec.encode(topic, 'io.oms.commands.SubmitOrder', o) })));
      await producer.send({ topic, messages });
    }
    await producer.disconnect();

    const ids = orders.map((o) => o.orderId);
    const done = await eventually(
      'every order settled',
      async () => {
        const rows = await stack.db('orders').whereIn('order_id', ids).whereIn('state', ['Delivered', 'Cancelled', 'Rejected']).select('order_id', 'state', 'cancel_reason');
        return rows.length === ORDERS ? rows : null;
      },
      Number(process.env.SCARCE_STOCK_TIMEOUT_MS ?? 600000),
    );

    const byOutcome = new Map<string, number>();
    for (const r of done) byOutcome.set(`${r.state}:${r.cancel_reason ?? ''}`, (byOutcome.get(`${r.state}:${r.cancel_reason ?? ''}`) ?? 0) + 1);
    expect([...byOutcome.keys()].sort()).toEqual(['Cancelled:out_of_stock', 'Delivered:']);

    const delivered = new Set(done.filter((r) => r.state === 'Delivered').map((r) => r.order_id));
    // Delivered can come before inventory has consumed OrderShipped: wait for every commit.
    await eventually('inventory committed every shipped order', async () => {
      const held = await stack.db('reservations').whereIn('order_id', [...delivered]).where({ status: 'held' }).count({ n: '*' }).first();
      return Number(held!.n) === 0;
    }, 120000);
    for (const sku of SKUS) {
      const stock = await saga.stock(sku);
      const shipped = orders.filter((o) => delivered.has(o.orderId)).flatMap((o) => o.lines).filter((l) => l.sku === sku).reduce((n, l) => n + l.quantity, 0);
      const committed = await stack.db('reservation_lines as l').join('reservations as r', 'r.reservation_id', 'l.reservation_id').where({ 'l.sku': sku, 'r.status': 'committed' }).sum({ q: 'l.quantity' }).first();
      expect({ sku, onHand: stock.on_hand, reserved: stock.reserved }).toEqual({ sku, onHand: STOCK_PER_SKU - shipped, reserved: 0 });
      expect(Number(committed?.q ?? 0)).toBe(shipped);
      expect(stock.on_hand).toBeGreaterThanOrEqual(0);
    }
    const held = await stack.db('reservations').whereIn('order_id', ids).where({ status: 'held' }).count({ n: '*' }).first();
    expect(held).toEqual({ n: 0 });
    console.log(`scarce stock: ${ORDERS} orders → ${JSON.stringify(Object.fromEntries(byOutcome))}`);
  }, 900000);
});
