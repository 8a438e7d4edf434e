import { aSubmitOrder } from '../support/orders';
import { eventually, TestStack } from '../support/stack';

// pg's query class: every statement the runner sends is one, submitted on its connection (a pipelined one carries others)
// eslint-disable-next-line @typescript-eslint/no-require-imports
const PgQuery = require('pg/lib/query') as { prototype: { submit(this: { text?: string; carriedTexts?: string[] }, ...args: unknown[]): unknown } };

/** The texts of the inbox inserts submitted while `fn` runs: as a statement of their own, or carried by another (shared/db/pipelined-query.ts). */
async function inboxInserts(fn: () => Promise<void>): Promise<{ own: string[]; carried: string[] }> {
  const seen = { own: [] as string[], carried: [] as string[] };
  const original = PgQuery.prototype.submit;
  PgQuery.prototype.submit = function (...args: unknown[]) {
    if (this.text?.includes('INTO inbox')) seen.own.push(this.text);
    seen.carried.push(...(this.carriedTexts ?? []).filter((t) => t.includes('INTO inbox')));
    return original.apply(this, args);
  };
  try {
    await fn();
  } finally {
    PgQuery.prototype.submit = original;
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

  it('when a chunk holds 5 redelivered SubmitOrders and 5 new ones, then only the new ones are handled, together in one transaction, each order is placed once, and the next chunk claims its inbox rows first', async () => {
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
    const again = await stack.startService(stack.service('intake'));
    const freshIds = fresh.map((c) => c.orderId);
    await stored(freshIds);

    // redeliveries come in runs: the chunk after this one claims its inbox rows first, and once a
    // chunk finds none handled before, the next carries them with its last statement again
    const chunkAfter = async () => {
      const commands = Array.from({ length: 3 }, () => aSubmitOrder());
      return inboxInserts(async () => {
        await stack.sendRaw('orderCommands', await encode(commands));
        await stored(commands.map((c) => c.orderId));
      });
    };
    const next = await chunkAfter();
    expect([next.own.length, next.carried.length]).toEqual([1, 0]);
    const nextButOne = await chunkAfter();
    expect([nextButOne.own.length, nextButOne.carried.length]).toEqual([0, 1]);
    await stack.stopService(again);

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
