import { randomUUID } from 'crypto';
import { ChunkOrderReads } from '../../shared/chunk-order-reads';
import { createDb } from '../../shared/db/knex';
import { settledLinesOfOrders } from '../../shared/order-store';
import { TestChunk } from '../support/chunk';
import { intakeOnlyStack } from '../support/saga';

/** A chunk's order reads against Postgres: one lock and one read for the chunk, served once per order, locks really held. */
describe('ChunkOrderReads (a chunk of saga steps reads its orders at once)', () => {
  const { stack, saga } = intakeOnlyStack();

  const placed = async () => (await saga.placed()).orderId;

  it('locks and reads every order of the chunk in two statements, then serves each sole order once from there', async () => {
    const [a, b, c, twice] = [await placed(), await placed(), await placed(), await placed()];
    await stack.db.transaction(async (trx) => {
      const chunk = new TestChunk(trx, [a, twice, b, twice, c.toUpperCase()]);
      const reads = ChunkOrderReads.of(chunk.context({ eventId: randomUUID(), orderId: a, type: 'PaymentAuthorized' }));

      expect(await chunk.statementsOf(async () => expect((await reads.lockWithSettled(a))!.order.order_id).toBe(a))).toBe(2);
      expect(await chunk.statementsOf(async () => expect((await reads.lockWithSettled(b))!.order.order_id).toBe(b))).toBe(0);
      // prefetched for settled lines, asked for lines: the lock row is served, the lines are read now; ids in either case
      expect(await chunk.statementsOf(async () => expect((await reads.lockWithLines(c.toUpperCase()))!.lines.length).toBeGreaterThan(0))).toBe(2 - 1);
      // an order with two messages in the chunk is read each time, as is a sole order's second read
      expect(await chunk.statementsOf(() => reads.lock(twice))).toBe(1);
      expect(await chunk.statementsOf(() => reads.lock(twice))).toBe(1);
      expect(await chunk.statementsOf(() => reads.lockWithSettled(a))).toBe(2);
      await chunk.end();
    });
  });

  it('holds the locks of the whole chunk from the first read until the transaction ends', async () => {
    const [a, b, twice] = [await placed(), await placed(), await placed()];
    const other = createDb({ DATABASE_URL: stack.platform.config.DATABASE_URL, DATABASE_POOL_MAX: 1 }, 'chunk-order-reads-test');
    try {
      const lockedElsewhere = (id: string) => other.transaction((t) => t('orders').where({ order_id: id }).forUpdate().noWait().first());
      await stack.db.transaction(async (trx) => {
        // twice: an order with two messages in the chunk (a redelivery) is locked by the first read as well, in key order with the rest
        await ChunkOrderReads.of(new TestChunk(trx, [a, b, twice, twice]).context({ eventId: randomUUID(), orderId: a, type: 'OrderPlaced' })).lock(a);
        for (const id of [b, twice]) await expect(lockedElsewhere(id)).rejects.toThrow(/could not obtain lock/);
      });
      for (const id of [b, twice]) await expect(lockedElsewhere(id)).resolves.toMatchObject({ order_id: id });
    } finally {
      await other.destroy();
    }
  });

  it('gives a sole order its second read fresh, with the writes of its own handler', async () => {
    const a = await placed();
    const undo = new Error('roll back the hand-made write');
    await expect(stack.db.transaction(async (trx) => {
      const reads = ChunkOrderReads.of(new TestChunk(trx, [a]).context({ eventId: randomUUID(), orderId: a, type: 'OrderPlaced' }));
      const first = await reads.lock(a);
      await trx('orders').where({ order_id: a }).update({ state: 'Processing', version: first!.version + 1 });
      expect(await reads.lock(a)).toMatchObject({ state: 'Processing', version: first!.version + 1 });
      throw undo;
    })).rejects.toBe(undo);
  });

  it('reads settled lines for many orders exactly as for each alone: reservations, refusals and authorizations stay with their order', async () => {
    const [reservedAndAuthorized, nothingYet, addedLineRefused] = [await placed(), await placed(), await placed()];
    await stack.db('reservations').insert({ reservation_id: randomUUID(), order_id: reservedAndAuthorized, line_id: null, status: 'held' });
    await stack.db('payments').insert({
      payment_id: randomUUID(), order_id: reservedAndAuthorized, operation: 'authorize', amount_minor: 1234, currency: 'EUR', method: 'card', gateway: 'test', status: 'approved', idempotency_key: `test:${randomUUID()}`,
    });
    await stack.db('reservations').insert({ reservation_id: randomUUID(), order_id: addedLineRefused, line_id: null, status: 'held' });
    await stack.db('order_lines').insert({ order_id: addedLineRefused, line_id: 'A-added', sku: 'SKU-ADDED', name: 'added', quantity: 1, unit_price_minor: 100, discount_minor: 0, line_total_minor: 100, weight_grams: 10, status: 'pending', origin: 'added' });
    await stack.db('inventory_refusals').insert({ order_id: addedLineRefused, scope: 'A-added', lines: JSON.stringify([{ sku: 'SKU-ADDED', reason: 'out_of_stock' }]) });

    const ids = [reservedAndAuthorized, nothingYet, addedLineRefused];
    const together = await stack.db.transaction((trx) => settledLinesOfOrders(trx, ids));
    for (const id of ids) expect(together.get(id)).toEqual((await stack.db.transaction((trx) => settledLinesOfOrders(trx, [id]))).get(id));

    const placedLines = (id: string) => stack.db('order_lines').where({ order_id: id, origin: 'placed' }).orderBy('line_id').pluck('line_id');
    const reserved = (id: string) => together.get(id)!.reserved.map((l) => l.line_id).sort();
    expect(together.get(reservedAndAuthorized)).toMatchObject({ wholeReserved: true, unresolved: [], authorizedMinor: 1234 });
    expect(reserved(reservedAndAuthorized)).toEqual(await placedLines(reservedAndAuthorized));
    expect(together.get(nothingYet)).toMatchObject({ wholeReserved: false, reserved: [], unresolved: [], authorizedMinor: 0 });
    // the added line was refused, so it neither counts as reserved nor waits
    expect(together.get(addedLineRefused)).toMatchObject({ wholeReserved: true, unresolved: [], authorizedMinor: 0 });
    expect(reserved(addedLineRefused)).toEqual(await placedLines(addedLineRefused));
  });
});
