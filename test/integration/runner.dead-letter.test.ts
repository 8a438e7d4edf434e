import { randomBytes, randomUUID } from 'crypto';
import { DLQ_HEADERS } from '../../shared/runner/dlq';
import { dlqName } from '../../shared/topics';
import { aSubmitOrder } from '../support/orders';
import { eventually, TestStack } from '../support/stack';

describe('shared runner: messages that can never succeed go to the DLQ and the partition moves on', () => {
  const stack = new TestStack();
  let dlq: string;

  beforeAll(async () => {
    await stack.provision();
    dlq = dlqName(stack.topic('orderCommands'));
    await stack.watch([dlq, stack.topic('orders')]);
    intake = await stack.startService(stack.service('intake'));
  });
  afterAll(() => stack.close());
  let intake: Awaited<ReturnType<TestStack['startService']>>;

  const dead = (key: string) => stack.messages((m) => m.topic === dlq && m.key === key);

  it('when random bytes arrive on the command topic, then they land in the DLQ with a reason and the next good message is processed', async () => {
    const good = aSubmitOrder();
    const poison = randomBytes(64);
    poison[0] = 7; // never the Confluent magic byte
    await stack.publishRaw('orderCommands', poison, good.orderId); // same key: same partition, ahead of the good one
    await stack.publish('io.oms.commands.SubmitOrder', good);

    const [d] = await eventually('poison in DLQ', async () => dead(good.orderId));
    expect(d!.raw).toEqual(poison);
    expect(d!.headers).toMatchObject({
      [DLQ_HEADERS.reason]: 'undecodable',
      [DLQ_HEADERS.sourceTopic]: stack.topic('orderCommands'),
      [DLQ_HEADERS.consumer]: 'intake',
    });
    expect(Number(d!.headers[DLQ_HEADERS.sourcePartition])).toBeGreaterThanOrEqual(0);
    expect(d!.headers[DLQ_HEADERS.sourceOffset]).toMatch(/^\d+$/);
    expect(d!.headers[DLQ_HEADERS.error]).toMatch(/wire format/);
    const order = await eventually('good order stored', () => stack.db('orders').where({ order_id: good.orderId }).first());
    expect(order.state).toBe('Pending');
  });

  it('when a message names a schema id the registry does not know, then it is dead-lettered as unknown_schema', async () => {
    const key = randomUUID();
    const bytes = Buffer.concat([Buffer.from([0, 0x7f, 0xff, 0xff, 0x00]), randomBytes(20)]);
    await stack.publishRaw('orderCommands', bytes, key);
    const [d] = await eventually('unknown schema in DLQ', async () => dead(key));
    expect(d!.headers[DLQ_HEADERS.reason]).toBe('unknown_schema');
  });

  it('when valid Avro of another topic arrives on the command topic, then it is dead-lettered as unexpected_record', async () => {
    const key = randomUUID();
    const codec = stack.platform.codec;
    const stray = await codec.encode(stack.topic('warehouseShipments'), 'io.oms.warehouse.ShipmentDelivered', {
      eventId: randomUUID(), orderId: key, occurredAt: Date.now(), correlationId: key, causationId: null, producer: 'test', orderVersion: 0, shipmentId: 'S1',
    });
    await stack.publishRaw('orderCommands', stray, key);
    const [d] = await eventually('stray record in DLQ', async () => dead(key));
    expect(d!.headers[DLQ_HEADERS.reason]).toBe('unexpected_record');
  });

  it('when a SubmitOrder carries an order id that is not a UUID, then it is dead-lettered as invalid_payload', async () => {
    const cmd = aSubmitOrder({ orderId: 'order-1' });
    await stack.publish('io.oms.commands.SubmitOrder', cmd);
    const [d] = await eventually('invalid payload in DLQ', async () => dead('order-1'));
    expect(d!.headers[DLQ_HEADERS.reason]).toBe('invalid_payload');
    expect(d!.headers[DLQ_HEADERS.error]).toContain('not a UUID');
  });

  it('when a backlog of bad messages on one partition holds more than the broker takes in one batch (1 MiB), then every one is dead-lettered and the partition moves on', async () => {
    await stack.stopService(intake);
    const key = randomUUID();
    const poison = (i: number) => Buffer.concat([Buffer.from([7]), Buffer.from(`${i};`), randomBytes(600)]);
    // 3,000 letters of over 800 bytes with their headers: one fetch brings more than 1 MiB of them
    for (let sent = 0; sent < 3000; sent += 500) await stack.sendRaw('orderCommands', Array.from({ length: 500 }, (_, i) => ({ key, value: poison(sent + i) })));
    const good = aSubmitOrder({ orderId: key });
    await stack.publish('io.oms.commands.SubmitOrder', good);
    intake = await stack.startService(stack.service('intake'));
    const order = await eventually('the good order behind them stored', () => stack.db('orders').where({ order_id: good.orderId }).first(), 60_000);
    expect(order.state).toBe('Pending');
    const letters = await eventually('every bad message dead-lettered', async () => (dead(key).length >= 3000 ? dead(key) : null), 30_000);
    expect(letters).toHaveLength(3000);
    expect(letters.every((l) => l.headers[DLQ_HEADERS.reason] === 'undecodable')).toBe(true);
  }, 120_000);
});
