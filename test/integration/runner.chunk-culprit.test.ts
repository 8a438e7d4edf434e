import { DLQ_HEADERS } from '../../shared/runner/dlq';
import { dlqName } from '../../shared/topics';
import { aSubmitOrder } from '../support/orders';
import { eventually, TestStack } from '../support/stack';

describe('shared runner: a chunk with messages its handler rejects for good', () => {
  const stack = new TestStack();
  afterAll(() => stack.close());

  it('when 3 of 20 SubmitOrders in one fetch are invalid, then those 3 are dead-lettered and the other 17 commit together in one transaction (not one by one)', async () => {
    await stack.provision();
    const dlq = dlqName(stack.topic('orderCommands'));
    await stack.watch([dlq]);
    const commands = Array.from({ length: 20 }, (_, i) => aSubmitOrder(i % 7 === 3 ? { orderId: `not-a-uuid-${i}-${Date.now()}` } : {}));
    const invalid = commands.filter((c) => c.orderId.startsWith('not-a-uuid'));
    const valid = commands.filter((c) => !c.orderId.startsWith('not-a-uuid'));
    expect(invalid).toHaveLength(3);
    const topic = stack.topic('orderCommands');
    const messages = await Promise.all(commands.map(async (c) => ({ key: c.orderId, partition: 0, value: await stack.platform.codec.encode(topic, 'io.oms.commands.SubmitOrder', c) })));
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
