import type { Knex } from 'knex';
import type { HandlerContext } from './runner/handler';
import { linesOfOrders, lockOrders, lockOrdersWithLines, lockOrdersWithSettled, orderKey, OrderLineRow, OrderRow, SettledLines, settledLinesOfOrders } from './order-store';

type Extra = 'lines' | 'settled';
interface Prefetched {
  order: OrderRow;
  lines?: OrderLineRow[];
  settled?: SettledLines;
}

/**
 * A saga step's first reads of its order, for a whole chunk at once: the first handler that locks
 * an order locks every order of the chunk in one statement (in key order) and reads what it asked
 * for (lines, or settled lines) for all of them in one more; the other handlers take their order
 * from there instead of two statements each.
 *
 * Only an order with exactly one message in the chunk is served from the prefetch, and only once:
 * a handler writes only its own order's rows, so until that one handler runs nothing has changed
 * them since they were read under the lock. Any later read, and every read of an order with more
 * than one message in the chunk, goes to the database as before. The first lock takes every order
 * of the chunk all the same, those with several messages too: locked later, one by one in message
 * order, they made a cycle with another service's chunk that holds one and waits for the other
 * (deadlocks in the fault suite's redeliveries, where an order often has two messages in a chunk).
 */
export class ChunkOrderReads {
  private readonly reads: SoleOrderReads<Prefetched>;

  static of(ctx: HandlerContext): ChunkOrderReads {
    return ctx.chunkScoped('chunk-order-reads', () => new ChunkOrderReads(ctx.trx, ctx.chunkOrderIds));
  }

  private constructor(private readonly trx: Knex.Transaction, chunkOrderIds: readonly string[]) {
    this.reads = new SoleOrderReads(chunkOrderIds, 'every order of the chunk');
  }

  /**
   * For a step that writes an order row it does not read: holds the lock of every order of the
   * chunk, taking it now (in key order) if no read has yet, and reads nothing again once it is held.
   */
  async holdLocks(orderId: string): Promise<void> {
    if (!(await this.reads.prime(orderId, (ids) => this.readAll(ids, null)))) await lockOrders(this.trx, [orderKey(orderId)]);
  }

  /** Locks the order; undefined if it does not exist. */
  async lock(orderId: string): Promise<OrderRow | undefined> {
    return (await this.read(orderId, null))?.order;
  }

  /** Locks the order and reads its lines, before the handler writes anything. */
  async lockWithLines(orderId: string): Promise<{ order: OrderRow; lines: OrderLineRow[] } | undefined> {
    const read = await this.read(orderId, 'lines');
    return read && { order: read.order, lines: read.lines! };
  }

  /** Locks the order and reads what inventory and payment have settled, before the handler writes anything. */
  async lockWithSettled(orderId: string): Promise<{ order: OrderRow; settled: SettledLines } | undefined> {
    const read = await this.read(orderId, 'settled');
    return read && { order: read.order, settled: read.settled! };
  }

  async flush(): Promise<void> {}

  private async read(orderId: string, extra: Extra | null): Promise<Prefetched | undefined> {
    const read = await this.reads.take(orderId, (ids) => this.readAll(ids, extra));
    // prefetched for another kind of step: the lock row is still current, the extra is read now
    const key = orderKey(orderId);
    if (read && extra === 'lines' && !read.lines) read.lines = (await linesOfOrders(this.trx, [key])).get(key);
    if (read && extra === 'settled' && !read.settled) read.settled = (await settledLinesOfOrders(this.trx, [key])).get(key);
    return read;
  }

  // the lock and what it guards in one round trip (read after the lock: see settledLinesOfOrders)
  private async readAll(orderIds: string[], extra: Extra | null): Promise<Map<string, Prefetched>> {
    if (extra === 'lines') {
      const [orders, lines] = await lockOrdersWithLines(this.trx, orderIds);
      return new Map([...orders].map(([id, order]) => [id, { order, lines: lines.get(id)! }]));
    }
    if (extra === 'settled') {
      const [orders, settled] = await lockOrdersWithSettled(this.trx, orderIds);
      return new Map([...orders].map(([id, order]) => [id, { order, settled: settled.get(id)! }]));
    }
    return new Map([...(await lockOrders(this.trx, orderIds))].map(([id, order]) => [id, { order }]));
  }
}

/**
 * A chunk's per-order reads, made once for many orders: the first `take` reads every order with
 * exactly one message in the chunk (and the one asked for) in one call of `read`; each of those
 * orders is then served from it once. Safe because only that one message's handler writes the
 * order's rows. Any other read (a second one, or an order with several messages) calls `read`
 * for that order alone. `firstRead`: 'every order of the chunk' when the first read must take the
 * orders with several messages too (a lock), though only the sole ones are served from it.
 */
export class SoleOrderReads<T> {
  private readonly sole: Set<string>;
  private readonly firstReadKeys: string[];
  private readonly firstReadCovers: Set<string>;
  private prefetched: Map<string, T> | null = null;

  constructor(chunkOrderIds: readonly string[], firstRead: 'sole orders' | 'every order of the chunk' = 'sole orders') {
    const messages = new Map<string, number>();
    for (const id of chunkOrderIds.map(orderKey)) messages.set(id, (messages.get(id) ?? 0) + 1);
    this.sole = new Set([...messages].filter(([, n]) => n === 1).map(([id]) => id));
    this.firstReadKeys = firstRead === 'sole orders' ? [...this.sole] : [...messages.keys()];
    this.firstReadCovers = new Set(this.firstReadKeys);
  }

  /**
   * Makes the first read if none was made, for a caller that writes `orderId` without reading it:
   * that order is not served from it later. False if the first read does not cover the order.
   */
  async prime(orderId: string, read: (orderKeys: string[]) => Promise<Map<string, T>>): Promise<boolean> {
    const key = orderKey(orderId);
    if (!this.firstReadCovers.has(key)) return false;
    this.prefetched ??= this.servedFrom(await read(this.firstReadKeys), null);
    this.prefetched.delete(key);
    return true;
  }

  /** `read` takes order keys and answers by order key; undefined: no such order. */
  async take(orderId: string, read: (orderKeys: string[]) => Promise<Map<string, T>>): Promise<T | undefined> {
    const key = orderKey(orderId);
    this.prefetched ??= this.servedFrom(await read(this.firstReadCovers.has(key) ? this.firstReadKeys : [...this.firstReadKeys, key]), key);
    const hit = this.prefetched.get(key);
    if (hit === undefined) return (await read([key])).get(key);
    this.prefetched.delete(key);
    return hit;
  }

  /** What the first read serves later: the sole orders, and the one it was read for (nothing in the chunk has written that one before it). */
  private servedFrom(first: Map<string, T>, readFor: string | null): Map<string, T> {
    return new Map([...first].filter(([k]) => k === readFor || this.sole.has(k)));
  }
}
