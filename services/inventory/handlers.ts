import type { LineItemAdded, StockLevelSet } from '../../shared/contracts/types.generated';
import { ChunkOrderReads } from '../../shared/chunk-order-reads';
import { permanent } from '../../shared/errors';
import { OrderLineRow, recordCompensation } from '../../shared/order-store';
import type { Handler, HandlerContext } from '../../shared/runner/handler';
import { LockedStock, StockBook } from './stock-book';

/**
 * A warehouse system sets the on-hand count of a SKU at a location (reserved units stay reserved),
 * in the chunk's stock ledger: after the shipments and cancellations ahead of it in the chunk.
 */
export const onStockLevelSet = (defaultLocation: string): Handler<'io.oms.warehouse.StockLevelSet'> => async (ctx, e: StockLevelSet) => {
  const location = e.location || defaultLocation;
  if (e.onHand < 0) throw permanent('invalid_payload', `StockLevelSet for ${e.sku} at ${location}: onHand ${e.onHand} is negative`);
  if (e.sku.trim() === '') throw permanent('invalid_payload', 'StockLevelSet without a sku');
  StockBook.of(ctx).queueCount(ctx, e.sku, location, e.onHand);
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

/** After the fraud gate: reserve the placed lines all-or-nothing, then each added line on its own. */
export const onFraudCheckPassed: Handler<'io.oms.fraud.FraudCheckPassed'> = async (ctx, e) => {
  const read = await ChunkOrderReads.of(ctx).lockWithLines(e.orderId);
  if (!read || read.order.state !== 'Processing') return ctx.log.info({ state: read?.order.state }, 'not reserving: order is not Processing');
  const order = read.order;
  const lines = read.lines.filter((l) => l.status !== 'refused');
  StockBook.of(ctx).queueReservation(ctx, e.orderId, lines.map((l) => l.sku), async (stock) => {
    if (stock.has(e.orderId, null)) return;
    const reserved = await reserveScope(ctx, stock, e.orderId, order.version, null, lines.filter((l) => l.origin === 'placed'));
    if (!reserved) return;
    for (const added of lines.filter((l) => l.origin === 'added' && l.status === 'pending')) {
      if (!stock.has(e.orderId, added.line_id)) await reserveScope(ctx, stock, e.orderId, order.version, added, [added]);
    }
  });
};

/** An added line: reserved now if the order's lines are, else when the fraud gate opens. */
export const onLineItemAdded: Handler<'io.oms.orders.LineItemAdded'> = async (ctx, e: LineItemAdded) => {
  const read = await ChunkOrderReads.of(ctx).lockWithLines(e.orderId);
  if (!read || read.order.state !== 'Processing') return;
  const order = read.order;
  const line = read.lines.find((l) => l.line_id === e.line.lineId);
  if (!line || line.status !== 'pending') return;
  StockBook.of(ctx).queueReservation(ctx, e.orderId, [line.sku], async (stock) => {
    if (!stock.has(e.orderId, null)) return; // the order-wide reservation will include it
    if (!stock.has(e.orderId, line.line_id)) await reserveScope(ctx, stock, e.orderId, order.version, line, [line]);
  });
};

export const onOrderCancelled: Handler<'io.oms.orders.OrderCancelled'> = async (ctx, e) => {
  await ChunkOrderReads.of(ctx).lock(e.orderId); // locks in the saga's order (order row, reservations, stock): the compensation below writes it
  StockBook.of(ctx).queueSettlement(ctx, e.orderId, async (stock) => {
    const { ids } = stock.settle(e.orderId, 'released');
    await recordCompensation(ctx.trx, e.orderId, 'inventory', ids.length ? 'released' : 'nothing_held');
    if (ids.length) await ctx.emit('io.oms.inventory.InventoryReleased', { reservationIds: ids, reason: e.reason, orderVersion: e.orderVersion });
  });
};

/** An added line refused after it was reserved (its raised authorization declined): its stock goes back. */
export const onLineItemRefused: Handler<'io.oms.orders.LineItemRefused'> = async (ctx, e) => {
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
