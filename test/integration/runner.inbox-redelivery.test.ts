import { Client } from 'pg';
import { aSubmitOrder } from '../support/orders';
import { eventually, TestStack } from '../support/stack';

/** The texts of the inbox inserts sent while `fn` runs: as a statement of their own, or carried by another (shared/db/pipelined-query.ts). */
async function inboxInserts(fn: () => Promise<void>): Promise<{ own: string[]; carried: string[] }> {
  const seen = { own: [] as string[], carried: [] as string[] };
  const original = Client.prototype.query;
  const spy = function (this: Client, config: unknown, ...rest: unknown[]) {
    const c = config as { text?: string; carriedTexts?: string[] } | string;
    const text = typeof c === 'string' ? c : c?.text;
    if (text?.includes('INTO inbox')) seen.own.push(text);
    if (typeof c === 'object') seen.carried.push(...(c?.carriedTexts ?? []).filter((t) => t.includes('INTO inbox')));
    return (original as (...a: unknown[]) => unknown).call(this, config, ...rest);
  };
  Client.prototype.query = spy as typeof original;
  try {
    await fn();
  } finally {
    Client.prototype.query = original;
  }
  return seen;
}

describe('shared runner: a chunk with events already handled', () => {
  const stack = new TestStack();
  beforeAll(() => stack.provision());
  afterAll(() => stack.close());

  it('when a chunk holds only new events, then its inbox rows go with its last statement, not in a round trip of their own before the handlers', async () => {
    const topic = stack.topic('orderCommands');
    const commands = Array.from({ length: 5 }, () => aSubmitOrder());
    const ids = commands.map((c) => c.orderId);
    await stack.sendRaw('orderCommands', await Promise.all(commands.map(async (c) => ({ key: c.orderId, partition: 0, value: await stack.platform.codec.encode(topic, 'io.oms.commands.SubmitOrder', c) }))));
    const seen = await inboxInserts(async () => {
      const intake = await stack.startService(stack.service('intake'));
      await eventually('5 inbox rows', async () => {
        const rows = await stack.db('inbox').where({ consumer: 'intake' }).whereIn('event_id', commands.map((c) => c.eventId)).select('event_id');
        return rows.length === 5 ? rows : undefined;
      });
      await stack.stopService(intake);
    });
    expect(seen.own).toEqual([]);
    expect(seen.carried.length).toBeGreaterThanOrEqual(1);
    const [placed] = await stack.db('orders').whereIn('order_id', ids).count<{ n: string }[]>('* as n');
    expect(Number(placed!.n)).toBe(5);
  });

  it('when a chunk holds 5 redelivered SubmitOrders and 5 new ones, then only the new ones are handled, together in one transaction, and each order is placed once', async () => {
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
