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
    await stack.startService(stack.service('intake'));
  });
  afterAll(() => stack.close());

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
});
