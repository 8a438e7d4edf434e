import { randomUUID } from 'crypto';
import { newEnvelope } from '../../shared/contracts/envelope';
import { DLQ_HEADERS } from '../../shared/runner/dlq';
import { dlqName } from '../../shared/topics';
import { aSubmitOrder } from '../support/orders';
import { eventually, TestStack } from '../support/stack';

describe('shared runner: a chunk with messages its handler rejects for good', () => {
  const stack = new TestStack();
  afterAll(() => stack.close());

  it('when 3 of 20 commands in one fetch are rejected by their handler (AddLineItem for orders that do not exist), then those 3 are dead-lettered and the other 17 commit together in one transaction (not one by one)', async () => {
    await stack.provision();
    const dlq = dlqName(stack.topic('orderCommands'));
    await stack.watch([dlq]);
    const topic = stack.topic('orderCommands');
    const valid = Array.from({ length: 17 }, () => aSubmitOrder());
    // the handler finds no order to add to: a rejection only the transaction can tell, so the chunk runs again without each
    const invalid = Array.from({ length: 3 }, () => {
      const orderId = randomUUID();
      return { ...newEnvelope('test', orderId), orderId, line: { sku: 'SKU-TEA', name: 'Tea', quantity: 1, unitPriceMinor: 899, weightGrams: 260 }, requestedBy: 'test' };
    });
    const encoded = [
      ...valid.map(async (c) => ({ key: c.orderId, partition: 0, value: await stack.platform.codec.encode(topic, 'io.oms.commands.SubmitOrder', c) })),
      ...invalid.map(async (c) => ({ key: c.orderId, partition: 0, value: await stack.platform.codec.encode(topic, 'io.oms.commands.AddLineItem', c) })),
    ];
    const messages = await Promise.all(encoded);
    [messages[3], messages[17]] = [messages[17]!, messages[3]!]; // one rejected command among the first ones
    // all on one partition before intake starts: its first fetch hands them in as one chunk
    await stack.sendRaw('orderCommands', messages);
    await stack.startService(stack.service('intake'));

    const dead = await eventually('3 dead letters', async () => {
      const found = stack.messages((m) => m.topic === dlq);
      return found.length >= 3 ? found : undefined;
    });
    expect(dead.map((d) => d.key).sort()).toEqual(invalid.map((c) => c.orderId).sort());
    for (const d of dead) expect(d.headers[DLQ_HEADERS.reason]).toBe('invalid_payload');

    const ids = valid.map((c) => c.orderId);
    const stored = await eventually('17 orders stored', async () => {
      const rows = await stack.db('orders').whereIn('order_id', ids).select('state');
      return rows.length === ids.length ? rows : undefined;
    });
    expect(stored.every((r: { state: string }) => r.state === 'Pending')).toBe(true);
    // rows written by one transaction share its id (xmin); run one by one, there would be 17
    const { rows } = await stack.db.raw('SELECT count(DISTINCT xmin::text)::int AS n FROM orders WHERE order_id = ANY(?::uuid[])', [ids]);
    expect(rows[0].n).toBe(1);
  });
});
