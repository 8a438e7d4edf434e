import { aSubmitOrder } from '../support/orders';
import { eventually, TestStack } from '../support/stack';

describe('shared runner: a chunk with events already handled', () => {
  const stack = new TestStack();
  afterAll(() => stack.close());

  it('when a chunk holds 5 redelivered SubmitOrders and 5 new ones, then only the new ones are handled, together in one transaction, and each order is placed once', async () => {
    await stack.provision();
    const topic = stack.topic('orderCommands');
    await stack.watch([stack.topic('orders')]);
    const encode = async (commands: ReturnType<typeof aSubmitOrder>[]) =>
      Promise.all(commands.map(async (c) => ({ key: c.orderId, partition: 0, value: await stack.platform.codec.encode(topic, 'io.oms.commands.SubmitOrder', c) })));
    const stored = (ids: string[]) => eventually(`${ids.length} orders stored`, async () => {
      const rows = await stack.db('orders').whereIn('order_id', ids).select('order_id');
      return rows.length === ids.length ? rows : undefined;
    });

    const first = Array.from({ length: 5 }, () => aSubmitOrder());
    const firstMessages = await encode(first);
    await stack.sendRaw('orderCommands', firstMessages);
    const intake = await stack.startService(stack.service('intake'));
    await stored(first.map((c) => c.orderId));
    await stack.stopService(intake);

    // the same five messages (same event ids) again, then five new ones, all on one partition while
    // intake is stopped: its next fetch hands them in as one chunk (its offsets were committed, so
    // the old ones come back as a redelivery would)
    const fresh = Array.from({ length: 5 }, () => aSubmitOrder());
    await stack.sendRaw('orderCommands', [...firstMessages, ...(await encode(fresh))]);
    await stack.startService(stack.service('intake'));
    const freshIds = fresh.map((c) => c.orderId);
    await stored(freshIds);

    const all = [...first, ...fresh].map((c) => c.orderId);
    const placed = await eventually('10 OrderPlaced', async () => {
      const found = stack.messages((m) => m.topic === stack.topic('orders') && all.includes(m.key ?? ''));
      return found.length >= 10 ? found : undefined;
    });
    await new Promise((r) => setTimeout(r, 1000)); // a duplicate OrderPlaced would follow its original closely
    expect(stack.messages((m) => m.topic === stack.topic('orders') && all.includes(m.key ?? '')).length).toBe(placed.length);
    expect(placed).toHaveLength(10);
    const inbox = await stack.db('inbox').where({ consumer: 'intake' }).whereIn('event_id', [...first, ...fresh].map((c) => c.eventId)).count<{ n: string }[]>('* as n');
    expect(Number(inbox[0]!.n)).toBe(10);
    // the inbox skipped the redelivered events inside the chunk's one transaction: not run one by one
    const { rows } = await stack.db.raw('SELECT count(DISTINCT xmin::text)::int AS n FROM orders WHERE order_id = ANY(?::uuid[])', [freshIds]);
    expect(rows[0].n).toBe(1);
  });
});
