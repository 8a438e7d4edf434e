import { randomUUID } from 'crypto';
import { onLineItemRefused, onOrderShipped } from '../../services/inventory/handlers';
import { StockBook } from '../../services/inventory/stock-book';
import { newEnvelope } from '../../shared/contracts/envelope';
import type { LineItemRefused, OrderShipped } from '../../shared/contracts/types.generated';
import { transactAs } from '../../shared/db/knex';
import type { HandlerContext } from '../../shared/runner/handler';
import { TestChunk } from '../support/chunk';
import { intakeOnlyStack } from '../support/saga';

/**
 * An added line refused after its stock was reserved (its raised authorization declined): its
 * reservation is released on LineItemRefused, and never committed, even when the shipment is
 * handled first (counts travel on another topic than the refusal, so nothing orders them).
 */
describe('inventory: the reservation of a line refused after it was reserved', () => {
  const { stack, saga } = intakeOnlyStack();
  const noContext = {} as HandlerContext;
  // one transaction reserved both: the same created_at, so ordered by line here (the added line first)
  const reservationsOf = async (orderId: string) => (await saga.reservations(orderId)).sort((a, b) => String(a.line_id).localeCompare(String(b.line_id)));

  async function orderWithRefusedLine(): Promise<{ orderId: string; lineId: string; lineSku: string }> {
    const cmd = await saga.placed();
    const orderId = cmd.orderId;
    const placedSkus = [...new Set(cmd.lines.map((l) => l.sku))];
    const lineSku = `REFUSED-${randomUUID().slice(0, 8)}`;
    const lineId = `A-${randomUUID()}`;
    const stocked = [...placedSkus.map((sku) => ({ sku, location: 'main', on_hand: 50, reserved: 0 })), { sku: lineSku, location: 'main', on_hand: 10, reserved: 0 }];
    await stack.db('stock_levels').insert(stocked).onConflict(['sku', 'location']).ignore();
    await stack.db('order_lines').insert({
      order_id: orderId, line_id: lineId, sku: lineSku, name: 'Refused', quantity: 4, unit_price_minor: 1000, discount_minor: 0, line_total_minor: 0,
      weight_grams: 100, status: 'refused', refused_reason: 'payment declined: card_declined: no', origin: 'added',
    });
    await transactAs(stack.db, null)(async (trx) => {
      const book = new StockBook(trx);
      book.queueReservation(noContext, orderId, [...placedSkus, lineSku], async (stock) => {
        expect(stock.reserve(orderId, null, cmd.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })))).toMatchObject({ ok: true });
        expect(stock.reserve(orderId, lineId, [{ sku: lineSku, quantity: 4 }])).toMatchObject({ ok: true });
      });
      await book.flush();
    });
    return { orderId, lineId, lineSku };
  }

  async function oneChunk(orderId: string, run: (chunk: TestChunk) => Promise<void>): Promise<TestChunk> {
    let chunk!: TestChunk;
    await transactAs(stack.db, null)(async (trx) => {
      chunk = new TestChunk(trx, [orderId]);
      await run(chunk);
      await chunk.end();
    });
    return chunk;
  }

  const shipped = (orderId: string): OrderShipped => ({ ...newEnvelope('fulfillment', orderId), orderId, orderVersion: 6, shipmentId: 'S-1', carrier: 'ups', trackingNumber: '1Z' });
  const refused = (orderId: string, lineId: string, sku: string): LineItemRefused => ({
    ...newEnvelope('intake', orderId), orderId, orderVersion: 5, lineId, sku, reasonCode: 'payment_declined', reason: 'payment declined', totalMinor: 1, currency: 'USD', problems: [],
  });

  it('when the shipment is handled before the refusal, then the placed lines are committed, the line stays held, and the refusal then releases it', async () => {
    const { orderId, lineId, lineSku } = await orderWithRefusedLine();
    const ship = shipped(orderId);
    const afterShip = await oneChunk(orderId, (chunk) => onOrderShipped(chunk.context({ eventId: ship.eventId, orderId, type: 'OrderShipped' }), ship));
    expect(afterShip.emitted.map((e) => e.record)).toEqual(['io.oms.inventory.InventoryCommitted']);
    expect(await reservationsOf(orderId)).toEqual([{ status: 'held', line_id: lineId }, { status: 'committed', line_id: null }]);
    expect(await saga.stock(lineSku)).toEqual({ on_hand: 10, reserved: 4 });

    const e = refused(orderId, lineId, lineSku);
    const afterRefusal = await oneChunk(orderId, (chunk) => onLineItemRefused(chunk.context({ eventId: e.eventId, orderId, type: 'LineItemRefused' }), e));
    expect(afterRefusal.emitted).toEqual([expect.objectContaining({ record: 'io.oms.inventory.InventoryReleased', payload: expect.objectContaining({ reason: 'line_refused:payment_declined' }) })]);
    expect(await reservationsOf(orderId)).toEqual([{ status: 'released', line_id: lineId }, { status: 'committed', line_id: null }]);
    expect(await saga.stock(lineSku)).toEqual({ on_hand: 10, reserved: 0 });
  });

  it('when the refusal comes again, then nothing more is released', async () => {
    const { orderId, lineId, lineSku } = await orderWithRefusedLine();
    const e = refused(orderId, lineId, lineSku);
    await oneChunk(orderId, (chunk) => onLineItemRefused(chunk.context({ eventId: e.eventId, orderId, type: 'LineItemRefused' }), e));
    const again = await oneChunk(orderId, (chunk) => onLineItemRefused(chunk.context({ eventId: randomUUID(), orderId, type: 'LineItemRefused' }), e));
    expect(again.emitted).toEqual([]);
    expect(await saga.stock(lineSku)).toEqual({ on_hand: 10, reserved: 0 });
    expect(await reservationsOf(orderId)).toEqual([{ status: 'released', line_id: lineId }, { status: 'held', line_id: null }]);
  });
});
