import { randomUUID } from 'crypto';
import { onFraudCheckPassed } from '../../services/inventory/handlers';
import { newEnvelope } from '../../shared/contracts/envelope';
import type { FraudCheckPassed } from '../../shared/contracts/types.generated';
import { transactAs } from '../../shared/db/knex';
import { TestChunk } from '../support/chunk';
import { intakeOnlyStack } from '../support/saga';

/**
 * Inventory reserves an added line only once fraud has cleared it, and only once the order's
 * placed lines are held. The order's pass and a line's pass travel on one topic, but two fraud
 * instances send in the order they commit (and the outbox relay sends what a crash left), so a
 * line's pass can arrive first: whichever pass comes second reserves the line.
 */
describe('inventory: an added line behind the fraud gate', () => {
  const { stack, saga } = intakeOnlyStack();

  /** A Processing order with one pending added line, as intake and fraud leave it; `cleared` writes fraud's pass of the line. */
  async function processingOrderWithLine({ placedOnHand, cleared }: { placedOnHand: number; cleared: boolean }) {
    const tag = randomUUID().slice(0, 8);
    const placedSku = `PLACED-${tag}`;
    const lineSku = `ADDED-${tag}`;
    const cmd = await saga.placed({ lines: [{ sku: placedSku, name: 'Placed', quantity: 2, unitPriceMinor: 1000, weightGrams: 100 }] });
    const orderId = cmd.orderId;
    await stack.db('orders').where({ order_id: orderId }).update({ state: 'Processing' });
    await stack.db('stock_levels').insert([{ sku: placedSku, location: 'main', on_hand: placedOnHand, reserved: 0 }, { sku: lineSku, location: 'main', on_hand: 10, reserved: 0 }]);
    const lineId = `A-${randomUUID()}`;
    await stack.db('order_lines').insert({
      order_id: orderId, line_id: lineId, sku: lineSku, name: 'Added', quantity: 3, unit_price_minor: 500, discount_minor: 0, line_total_minor: 1500,
      weight_grams: 100, status: 'pending', origin: 'added',
    });
    if (cleared) await stack.db('fraud_line_checks').insert({ order_id: orderId, line_id: lineId, score: 0, decision: 'passed', reasons: '[]' });
    return { orderId, lineId, lineSku };
  }

  const pass = (orderId: string, forLineId: string | null): FraudCheckPassed => ({ ...newEnvelope('fraud', orderId), orderId, orderVersion: 2, score: 0, reasons: [], forLineId });

  async function oneChunk(orderId: string, passes: FraudCheckPassed[]): Promise<string[]> {
    let chunk!: TestChunk;
    await transactAs(stack.db, null)(async (trx) => {
      chunk = new TestChunk(trx, passes.map(() => orderId));
      for (const p of passes) await onFraudCheckPassed(chunk.context({ eventId: p.eventId, orderId, type: 'FraudCheckPassed' }), p);
      await chunk.end();
    });
    return chunk.emitted.map((e) => `${e.record.slice(e.record.lastIndexOf('.') + 1)}:${(e.payload.forLineId as string | null) === null ? 'order' : 'line'}`);
  }

  const reservations = async (orderId: string) => (await saga.reservations(orderId)).map((r) => `${r.status}:${r.line_id === null ? 'order' : 'line'}`).sort();

  it('when the line\'s pass arrives before the order\'s, then it waits, and the order\'s pass reserves the placed lines and the line', async () => {
    const { orderId, lineId, lineSku } = await processingOrderWithLine({ placedOnHand: 50, cleared: true });
    expect(await oneChunk(orderId, [pass(orderId, lineId)])).toEqual([]);
    expect(await reservations(orderId)).toEqual([]);
    expect(await oneChunk(orderId, [pass(orderId, null)])).toEqual(['InventoryReserved:order', 'InventoryReserved:line']);
    expect(await reservations(orderId)).toEqual(['held:line', 'held:order']);
    expect(await saga.stock(lineSku)).toEqual({ on_hand: 10, reserved: 3 });
  });

  it('when the line\'s pass comes after the order\'s, then the line is reserved once', async () => {
    const { orderId, lineId, lineSku } = await processingOrderWithLine({ placedOnHand: 50, cleared: true });
    expect(await oneChunk(orderId, [pass(orderId, null), pass(orderId, lineId)])).toEqual(['InventoryReserved:order', 'InventoryReserved:line']);
    expect(await oneChunk(orderId, [pass(orderId, lineId)])).toEqual([]);
    expect(await saga.stock(lineSku)).toEqual({ on_hand: 10, reserved: 3 });
  });

  it('when fraud has not cleared the line, then the order\'s pass reserves the placed lines only', async () => {
    const { orderId, lineSku } = await processingOrderWithLine({ placedOnHand: 50, cleared: false });
    expect(await oneChunk(orderId, [pass(orderId, null)])).toEqual(['InventoryReserved:order']);
    expect(await saga.stock(lineSku)).toEqual({ on_hand: 10, reserved: 0 });
  });

  it('when the placed lines cannot be reserved, then a cleared line is not reserved either, in the same chunk or a later one', async () => {
    const { orderId, lineId, lineSku } = await processingOrderWithLine({ placedOnHand: 1, cleared: true });
    expect(await oneChunk(orderId, [pass(orderId, null), pass(orderId, lineId)])).toEqual(['InventoryUnavailable:order']);
    expect(await oneChunk(orderId, [pass(orderId, lineId)])).toEqual([]);
    expect(await reservations(orderId)).toEqual([]);
    expect(await saga.stock(lineSku)).toEqual({ on_hand: 10, reserved: 0 });
  });
});
