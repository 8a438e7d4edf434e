import { randomUUID } from 'crypto';
import { onOrderShipped, onStockLevelSet } from '../../services/inventory/handlers';
import { StockBook } from '../../services/inventory/stock-book';
import { newEnvelope } from '../../shared/contracts/envelope';
import type { OrderShipped, StockLevelSet } from '../../shared/contracts/types.generated';
import { transactAs } from '../../shared/db/knex';
import { DLQ_HEADERS } from '../../shared/runner/dlq';
import type { HandlerContext } from '../../shared/runner/handler';
import { dlqName } from '../../shared/topics';
import { TestChunk } from '../support/chunk';
import { intakeOnlyStack } from '../support/saga';
import { eventually } from '../support/stack';

/**
 * A warehouse's count (StockLevelSet) is applied in message order with the chunk's other stock
 * steps: a count taken after picking, handled after the order's shipment, is the on-hand that stays.
 */
describe('inventory: warehouse counts among the chunk\'s stock steps', () => {
  const { stack, saga } = intakeOnlyStack();
  const noContext = {} as HandlerContext;
  const stockOf = (sku: string) => stack.db('stock_levels').where({ sku }).select('location', 'on_hand', 'reserved').orderBy('location');

  const aCount = (sku: string, onHand: number, location = 'main'): StockLevelSet => ({ ...newEnvelope('warehouse', null), sku, location, onHand });
  const shipped = (orderId: string): OrderShipped => ({ ...newEnvelope('fulfillment', orderId), orderId, orderVersion: 5, shipmentId: 'S-1', carrier: 'ups', trackingNumber: '1Z' });

  /** An order holding `quantity` of `sku` (on hand `onHand` at 'main'). */
  async function heldOrder(sku: string, onHand: number, quantity: number): Promise<string> {
    await stack.db('stock_levels').insert({ sku, location: 'main', on_hand: onHand, reserved: 0 });
    const orderId = (await saga.placed()).orderId;
    await transactAs(stack.db, null)(async (trx) => {
      const book = new StockBook(trx);
      book.queueReservation(noContext, orderId, [sku], async (stock) => void stock.reserve(orderId, null, [{ sku, quantity }]));
      await book.flush();
    });
    return orderId;
  }

  async function oneChunk(messages: (OrderShipped | StockLevelSet)[]): Promise<void> {
    await transactAs(stack.db, null)(async (trx) => {
      const chunk = new TestChunk(trx, messages.flatMap((m) => (m.orderId ? [m.orderId] : [])));
      for (const m of messages) {
        const ctx = chunk.context({ eventId: m.eventId, orderId: m.orderId ?? '', type: 'sku' in m ? 'StockLevelSet' : 'OrderShipped' });
        if ('sku' in m) await onStockLevelSet('main')(ctx, m);
        else await onOrderShipped(ctx, m);
      }
      await chunk.end();
    });
  }

  it('when a count taken after picking follows the shipment in one chunk, then the count stands (10 on hand, 2 shipped, counted 8: 8, not 6)', async () => {
    const sku = `COUNT-${randomUUID().slice(0, 8)}`;
    const orderId = await heldOrder(sku, 10, 2);
    await oneChunk([shipped(orderId), aCount(sku, 8)]);
    expect(await stockOf(sku)).toEqual([{ location: 'main', on_hand: 8, reserved: 0 }]);
    expect(await stack.db('reservations').where({ order_id: orderId }).pluck('status')).toEqual(['committed']);
  });

  it('when a count taken before picking comes first in the chunk, then the shipment is taken from it (counted 12, 2 shipped: 10)', async () => {
    const sku = `COUNT-${randomUUID().slice(0, 8)}`;
    const orderId = await heldOrder(sku, 10, 2);
    await oneChunk([aCount(sku, 12), shipped(orderId)]);
    expect(await stockOf(sku)).toEqual([{ location: 'main', on_hand: 10, reserved: 0 }]);
  });

  it('when a chunk counts a new location and then reserves from it, then the row is inserted with both', async () => {
    const sku = `COUNT-${randomUUID().slice(0, 8)}`;
    const orderId = (await saga.placed()).orderId;
    await transactAs(stack.db, null)(async (trx) => {
      const chunk = new TestChunk(trx, [orderId]);
      const count = aCount(sku, 5, 'east');
      await onStockLevelSet('main')(chunk.context({ eventId: count.eventId, orderId: '', type: 'StockLevelSet' }), count);
      StockBook.of(chunk.context({ eventId: randomUUID(), orderId, type: 'FraudCheckPassed' })).queueReservation(noContext, orderId, [sku], async (stock) => {
        expect(stock.reserve(orderId, null, [{ sku, quantity: 3 }])).toMatchObject({ ok: true });
      });
      await chunk.end();
    });
    expect(await stockOf(sku)).toEqual([{ location: 'east', on_hand: 5, reserved: 3 }]);
  });

  it('when two counts of one SKU share a chunk, then the later one stands', async () => {
    const sku = `COUNT-${randomUUID().slice(0, 8)}`;
    await oneChunk([aCount(sku, 4), aCount(sku, 9)]);
    expect(await stockOf(sku)).toEqual([{ location: 'main', on_hand: 9, reserved: 0 }]);
  });

  it('when a count through Kafka is negative, then it is dead-lettered with the reason and the next count of that SKU still lands', async () => {
    await stack.startService(stack.service('inventory'));
    const dlq = dlqName(stack.topic('stockLevels'));
    await stack.watch([dlq]);
    const sku = `COUNT-${randomUUID().slice(0, 8)}`;
    const bad = aCount(sku, -3);
    await stack.publish('io.oms.warehouse.StockLevelSet', bad);
    await saga.setStock(sku, 7);
    const letter = await eventually('dead-lettered', async () => stack.messages((m) => m.topic === dlq && (m.value as { eventId?: string } | null)?.eventId === bad.eventId)[0] ?? null);
    expect(letter.headers[DLQ_HEADERS.reason]).toBe('invalid_payload');
    expect(letter.headers[DLQ_HEADERS.error]).toMatch(/onHand -3 is negative/);
    expect(await stockOf(sku)).toEqual([{ location: 'main', on_hand: 7, reserved: 0 }]);
  }, 60_000);
});
