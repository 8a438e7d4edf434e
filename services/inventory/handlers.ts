import type { StockLevelSet } from '../../shared/contracts/types.generated';
import { ChunkOrderReads } from '../../shared/chunk-order-reads';
import { OrderLineRow, recordCompensation } from '../../shared/order-store';
import { type Handler, type HandlerContext, refusingUnfit } from '../../shared/runner/handler';
import { LockedStock, StockBook } from './stock-book';

/**
 * A warehouse system sets the on-hand count of a SKU at a location (reserved units stay reserved),
 * in the chunk's stock ledger: after the shipments and cancellations ahead of it in the chunk. A
 * count no stock row can take is dead-lettered as it is decoded (refusingUnfit), before any
 * transaction, so a warehouse sending many costs no rolled-back chunks.
 */
export const onStockLevelSet = (defaultLocation: string): Handler<'io.oms.warehouse.StockLevelSet'> => {
  const locationOf = (e: StockLevelSet) => e.location || defaultLocation;
  return refusingUnfit(
    (e: StockLevelSet) => {
      if (e.onHand < 0) return `StockLevelSet for ${e.sku} at ${locationOf(e)}: onHand ${e.onHand} is negative`;
      if (e.sku.trim() === '') return 'StockLevelSet without a sku';
      return null;
    },
    async (ctx, e: StockLevelSet) => StockBook.of(ctx).queueCount(ctx, e.sku, locationOf(e), e.onHand),
  );
};

/** Reserves one scope (the placed lines, or one added line) and says so: InventoryReserved or InventoryUnavailable. */
async function reserveScope(ctx: HandlerContext, stock: LockedStock, orderId: string, version: number, line: OrderLineRow | null, lines: OrderLineRow[]): Promise<boolean> {
  const lineId = line?.line_id ?? null;
  const result = stock.reserve(orderId, lineId, lines.map((l) => ({ sku: l.sku, quantity: l.quantity })));
  if (result.ok) {
    await ctx.emit('io.oms.inventory.InventoryReserved', { reservationId: result.reservationId, lines: result.takes, forLineId: lineId, orderVersion: version });
    return true;
  }
  await ctx.emit('io.oms.inventory.InventoryUnavailable', { lines: result.shortages, forLineId: lineId, orderVersion: version });
  return false;
}

/**
 * After the fraud gate. The order's own pass: reserve its placed lines, all or nothing, then each
 * pending added line fraud has cleared (passed, or released with the order). An added line's
 * pass: reserve that line on its own, once the placed lines are held. Either pass may come first
 * (two fraud instances send in the order they commit, and the order's pass may come from the
 * outbox relay), and whichever comes second reserves the line. An added line is never reserved
 * before fraud has scored it.
 */
export const onFraudCheckPassed: Handler<'io.oms.fraud.FraudCheckPassed'> = async (ctx, e) => {
  const read = await ChunkOrderReads.of(ctx).lockWithLines(e.orderId);
  if (!read || read.order.state !== 'Processing') return ctx.log.info({ state: read?.order.state, lineId: e.forLineId }, 'not reserving: order is not Processing');
  const order = read.order;
  const pending = read.lines.filter((l) => l.origin === 'added' && l.status === 'pending');
  if (e.forLineId === null) {
    const placed = read.lines.filter((l) => l.origin === 'placed');
    const cleared = pending.length > 0 ? await linesClearedByFraud(ctx, e.orderId) : new Set<string>();
    const added = pending.filter((l) => cleared.has(l.line_id));
    StockBook.of(ctx).queueReservation(ctx, e.orderId, [...placed, ...added].map((l) => l.sku), async (stock) => {
      if (!stock.has(e.orderId, null) && !(await reserveScope(ctx, stock, e.orderId, order.version, null, placed))) return;
      await reserveAddedLines(ctx, stock, order.version, e.orderId, added);
    });
    return;
  }
  const line = pending.find((l) => l.line_id === e.forLineId);
  if (!line) return ctx.log.info({ lineId: e.forLineId }, 'not reserving: the line is not pending');
  StockBook.of(ctx).queueReservation(ctx, e.orderId, [line.sku], (stock) => reserveAddedLines(ctx, stock, order.version, e.orderId, [line]));
};

/** Each added line not reserved or refused yet, on its own, if the order's placed lines are held (not refused). */
async function reserveAddedLines(ctx: HandlerContext, stock: LockedStock, version: number, orderId: string, lines: OrderLineRow[]): Promise<void> {
  if (lines.length === 0) return;
  if (!stock.holds(orderId, null)) return ctx.log.info({ lineIds: lines.map((l) => l.line_id) }, 'not reserving added lines: the order\'s placed lines are not held');
  for (const line of lines) if (!stock.has(orderId, line.line_id)) await reserveScope(ctx, stock, orderId, version, line, [line]);
}

/** The order's added lines that fraud passed, or released with the order (fraud_line_checks). */
async function linesClearedByFraud(ctx: HandlerContext, orderId: string): Promise<Set<string>> {
  const rows: { line_id: string }[] = await ctx.trx('fraud_line_checks').where({ order_id: orderId }).whereIn('decision', ['passed', 'released']).select('line_id');
  return new Set(rows.map((r) => r.line_id));
}

export const onOrderCancelled: Handler<'io.oms.orders.OrderCancelled'> = async (ctx, e) => {
  await ChunkOrderReads.of(ctx).holdLocks(e.orderId); // locks in the saga's order (order row, reservations, stock): the compensation below writes it
  StockBook.of(ctx).queueSettlement(ctx, e.orderId, async (stock) => {
    const { ids } = stock.settle(e.orderId, 'released');
    await recordCompensation(ctx.trx, e.orderId, 'inventory', ids.length ? 'released' : 'nothing_held');
    if (ids.length) await ctx.emit('io.oms.inventory.InventoryReleased', { reservationIds: ids, reason: e.reason, orderVersion: e.orderVersion });
  });
};

/** An added line refused: any stock it holds goes back (a line refused before it was reserved holds none). */
export const onLineItemRefused: Handler<'io.oms.orders.LineItemRefused'> = async (ctx, e) => {
  await ChunkOrderReads.of(ctx).holdLocks(e.orderId); // the saga's lock order (order row, reservations, stock), as a cancellation's: without it a refusal and a reservation deadlocked
  StockBook.of(ctx).queueSettlement(ctx, e.orderId, async (stock) => {
    const { ids } = stock.releaseLine(e.orderId, e.lineId);
    if (ids.length) await ctx.emit('io.oms.inventory.InventoryReleased', { reservationIds: ids, reason: `line_refused:${e.reasonCode}`, orderVersion: e.orderVersion });
  });
};

export const onOrderShipped: Handler<'io.oms.fulfillment.OrderShipped'> = async (ctx, e) => {
  StockBook.of(ctx).queueSettlement(ctx, e.orderId, async (stock) => {
    const { ids, lines } = stock.settle(e.orderId, 'committed');
    if (ids.length) await ctx.emit('io.oms.inventory.InventoryCommitted', { reservationIds: ids, lines, orderVersion: e.orderVersion });
  });
};
