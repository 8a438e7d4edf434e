import { randomUUID } from 'crypto';
import { transactAs } from '../../shared/db/knex';
import type { HandlerContext } from '../../shared/runner/handler';
import { type LockedStock, StockBook } from '../../services/inventory/stock-book';
import { intakeOnlyStack } from '../support/saga';

/**
 * The stock book against Postgres, for an order whose channel sent its id in upper case: events
 * carry the id as sent, the rows read back carry it as Postgres prints a uuid.
 */
describe('StockBook and an order id sent in upper case', () => {
  const { stack, saga } = intakeOnlyStack();
  const noContext = {} as HandlerContext; // the book only hands it back to the step

  async function inChunk(steps: (book: StockBook) => void) {
    await transactAs(stack.db, null)(async (trx) => {
      const book = new StockBook(trx);
      steps(book);
      await book.flush();
    });
  }

  it('when a later chunk names the order in upper case, then it sees the reservation as existing and settles it', async () => {
    const sku = `UPPER-${randomUUID().slice(0, 8)}`;
    await stack.db('stock_levels').insert({ sku, location: 'main', on_hand: 10, reserved: 0 });
    const orderId = (await saga.placed()).orderId.toLowerCase();
    const upper = orderId.toUpperCase();

    await inChunk((book) => book.queueReservation(noContext, upper, [sku], async (stock) => {
      expect(stock.reserve(upper, null, [{ sku, quantity: 3 }])).toMatchObject({ ok: true });
    }));
    expect(await stack.db('stock_levels').where({ sku }).first()).toMatchObject({ on_hand: 10, reserved: 3 });

    let seen: boolean | undefined;
    let settled: ReturnType<LockedStock['settle']> | undefined;
    await inChunk((book) => {
      book.queueReservation(noContext, upper, [sku], async (stock) => {
        seen = stock.has(upper, null);
      });
      book.queueSettlement(noContext, upper, async (stock) => {
        settled = stock.settle(upper, 'committed');
      });
    });

    expect(seen).toBe(true);
    expect(settled!.ids).toHaveLength(1);
    expect(settled!.lines).toEqual([{ sku, location: 'main', quantity: 3 }]);
    expect(await stack.db('reservations').where({ order_id: orderId }).select('status')).toEqual([{ status: 'committed' }]);
    expect(await stack.db('stock_levels').where({ sku }).first()).toMatchObject({ on_hand: 7, reserved: 0 });
  });
});
