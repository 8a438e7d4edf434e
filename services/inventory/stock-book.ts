import { randomUUID } from 'crypto';
import type { Knex } from 'knex';
import { queueWrite } from '../../shared/db/pipelined-transaction';
import { queuePreparedRead } from '../../shared/db/prepared-statement';
import { RowsInsert } from '../../shared/db/rows-insert';
import { orderKey } from '../../shared/order-store';
import type { ChunkFlush, HandlerContext } from '../../shared/runner/handler';
import { Demand, planReservation, PlannedTake, Shortage, StockRow } from './reservation-plan';
import { HELD_LINES_OF_ORDERS, insertCountedStockRows, lockStockRowsOf, stockRowKey, writeStockRows } from './stock-rows';

type Scope = string | null; // null: the order's placed lines; else one added line's id

type Settlement = 'released' | 'committed';

// queued: they go out with the outbox row and the COMMIT, in one round trip
const RESERVATIONS = new RowsInsert<{ reservation_id: string; order_id: string; line_id: Scope; status: 'held' }>(
  'insert_reservations', 'reservations', { reservation_id: 'uuid', order_id: 'uuid', line_id: 'text', status: 'text' },
);
const RESERVATION_LINES = new RowsInsert<PlannedTake & { reservation_id: string }>(
  'insert_reservation_lines', 'reservation_lines', { reservation_id: 'uuid', sku: 'text', location: 'text', quantity: 'int' },
);

/** What a queued step sees when the chunk's stock is locked; every change is buffered. */
export interface LockedStock {
  /** A reservation or a refusal already exists for this scope of the order. */
  has(orderId: string, scope: Scope): boolean;
  /** A reservation exists for this scope of the order (not a refusal): its stock was held. */
  holds(orderId: string, scope: Scope): boolean;
  /** All of `lines` or nothing, planned on the locked rows; a refusal is recorded on failure. */
  reserve(orderId: string, scope: Scope, lines: Demand[]): { ok: true; reservationId: string; takes: PlannedTake[] } | { ok: false; shortages: Shortage[] };
  /**
   * Ends every held reservation of the order: released (stock back) or committed (stock gone). A
   * refused added line's reservation is never committed: it stays held for its release.
   */
  settle(orderId: string, outcome: Settlement): { ids: string[]; lines: PlannedTake[] };
  /** Releases the held reservation of one added line of the order (refused after it was reserved). */
  releaseLine(orderId: string, lineId: string): { ids: string[]; lines: PlannedTake[] };
  /** A warehouse's count: the on-hand units at a location from this step on (reserved units stay reserved). */
  count(sku: string, location: string, onHand: number): void;
}

interface Step {
  ctx: HandlerContext;
  run: (stock: LockedStock) => Promise<void>;
}

interface Held {
  reservationId: string;
  lines: PlannedTake[];
  /** The added line it holds stock for; null for the order's placed lines. */
  lineId: string | null;
  /** That added line was refused (its raised authorization declined): never shipped. */
  lineRefused: boolean;
}

/**
 * The chunk's stock ledger. Handlers queue their stock steps (with the SKUs or orders they will
 * touch); after the chunk's last handler the ledger locks every reservation and stock row the
 * steps need in one sorted query each, all in one round trip (lockForSteps), runs the steps in
 * message order against those rows in memory, and writes each changed row once. Stock rows are
 * the hot spot of the whole saga: holding them only for this final step, instead of from a
 * chunk's first reservation to its commit, lets inventory chunks from several partitions and
 * instances overlap.
 */
export class StockBook implements ChunkFlush {
  private readonly steps: Step[] = [];
  private readonly skus = new Set<string>();
  private readonly settleOrders = new Set<string>();
  private readonly reserveOrders = new Set<string>();

  constructor(private readonly trx: Knex.Transaction) {}

  static of(ctx: HandlerContext): StockBook {
    return ctx.chunkScoped('inventory.stock-book', () => new StockBook(ctx.trx));
  }

  /** Queues a step that may reserve `skus` for `orderId`. */
  queueReservation(ctx: HandlerContext, orderId: string, skus: string[], run: Step['run']): void {
    skus.forEach((s) => this.skus.add(s));
    this.reserveOrders.add(orderId);
    this.steps.push({ ctx, run });
  }

  /**
   * Queues a warehouse's count of `sku` at `location`, applied in message order with the other
   * steps: a count taken after picking and handled after the shipment lands after its commit.
   */
  queueCount(ctx: HandlerContext, sku: string, location: string, onHand: number): void {
    this.skus.add(sku);
    this.steps.push({ ctx, run: async (stock) => stock.count(sku, location, onHand) });
  }

  /** Queues a step that settles the held reservations of `orderId`. */
  queueSettlement(ctx: HandlerContext, orderId: string, run: Step['run']): void {
    this.settleOrders.add(orderId);
    this.steps.push({ ctx, run });
  }

  async flush(): Promise<void> {
    if (this.steps.length === 0) return;
    const { held, scopes, reservedScopes, rows } = await this.lockForSteps();
    const stock = new Map(rows.map((r) => [stockRowKey(r), { ...r }]));
    const changed = new Set<string>();
    const counted = new Set<string>(); // rows a count created: inserted, not updated
    const newReservations: { reservation_id: string; order_id: string; line_id: Scope; status: 'held' }[] = [];
    const newLines: (PlannedTake & { reservation_id: string })[] = [];
    const refusals: { order_id: string; scope: string; lines: string }[] = [];
    const settled: Record<Settlement, string[]> = { released: [], committed: [] };

    /** Ends the order's held reservations that `which` picks; the others stay held. */
    const end = (orderId: string, outcome: Settlement, which: (h: Held) => boolean) => {
      const ending: Held[] = [];
      const staying: Held[] = [];
      for (const h of held.get(orderKey(orderId)) ?? []) (which(h) ? ending : staying).push(h);
      if (staying.length) held.set(orderKey(orderId), staying);
      else held.delete(orderKey(orderId));
      const lines = ending.flatMap((h) => h.lines);
      for (const l of lines) {
        const row = stock.get(stockRowKey(l))!;
        row.reserved -= l.quantity;
        // the warehouse's own count may have taken the shipped units out already (a StockLevelSet sent after picking, handled first): never below 0
        if (outcome === 'committed') row.on_hand = Math.max(0, row.on_hand - l.quantity);
        changed.add(stockRowKey(l));
      }
      settled[outcome].push(...ending.map((h) => h.reservationId));
      return { ids: ending.map((h) => h.reservationId), lines };
    };

    const locked: LockedStock = {
      has: (orderId, scope) => scopes.has(scopeKey(orderId, scope)),
      holds: (orderId, scope) => reservedScopes.has(scopeKey(orderId, scope)),
      reserve: (orderId, scope, lines) => {
        const plan = planReservation(lines, [...stock.values()]); // it picks each SKU's rows itself
        scopes.add(scopeKey(orderId, scope));
        if (!plan.ok) {
          refusals.push({ order_id: orderId, scope: scope ?? 'order', lines: JSON.stringify(plan.shortages) });
          return plan;
        }
        const reservationId = randomUUID();
        reservedScopes.add(scopeKey(orderId, scope));
        for (const t of plan.takes) {
          stock.get(stockRowKey(t))!.reserved += t.quantity;
          changed.add(stockRowKey(t));
        }
        newReservations.push({ reservation_id: reservationId, order_id: orderId, line_id: scope, status: 'held' });
        newLines.push(...plan.takes.map((t) => ({ reservation_id: reservationId, ...t })));
        pushTo(held, orderKey(orderId), { reservationId, lines: plan.takes, lineId: scope, lineRefused: false });
        return { ok: true, reservationId, takes: plan.takes };
      },
      settle: (orderId, outcome) => end(orderId, outcome, (h) => outcome === 'released' || !h.lineRefused),
      releaseLine: (orderId, lineId) => end(orderId, 'released', (h) => h.lineId === lineId), // both as order_lines stores it
      count: (sku, location, onHand) => {
        const key = stockRowKey({ sku, location });
        const row = stock.get(key);
        if (row) row.on_hand = onHand;
        else {
          stock.set(key, { sku, location, on_hand: onHand, reserved: 0 });
          counted.add(key);
        }
        changed.add(key);
      },
    };
    for (const step of this.steps) await step.run(locked);

    // queued: they go out with the outbox row and the COMMIT, in one round trip
    await RESERVATIONS.queue(this.trx, newReservations);
    await RESERVATION_LINES.queue(this.trx, newLines);
    if (refusals.length) await queueWrite(this.trx, this.trx('inventory_refusals').insert(refusals).onConflict(['order_id', 'scope']).ignore());
    for (const outcome of ['released', 'committed'] as const) {
      const ids = settled[outcome];
      if (ids.length) await queueWrite(this.trx, this.trx('reservations').whereIn('reservation_id', ids).update({ status: outcome, updated_at: this.trx.fn.now() }));
    }
    const writes = [...changed].sort();
    await insertCountedStockRows(this.trx, writes.filter((k) => counted.has(k)).map((k) => stock.get(k)!));
    await writeStockRows(this.trx, writes.filter((k) => !counted.has(k)).map((k) => stock.get(k)!));
  }

  /**
   * What the steps need, in one round trip and in the order every writer locks: the held
   * reservations of the orders being settled (locked) and their lines, the scopes already reserved
   * or refused for the orders that may reserve, then the stock rows of the SKUs to reserve and of
   * the held lines (lockStockRowsOf, which finds the held lines' SKUs itself, after the
   * reservations' lock, so it waits for no answer in between).
   */
  private async lockForSteps(): Promise<{ held: Map<string, Held[]>; scopes: Set<string>; reservedScopes: Set<string>; rows: StockRow[] }> {
    const settleOrders = [...this.settleOrders];
    let heldIds: { reservation_id: string; order_id: string; line_id: string | null; line_refused: boolean }[] = [];
    let heldLines: (PlannedTake & { reservation_id: string })[] = [];
    let scopeRows: { order_id: string; line_id: string | null; refused: boolean }[] = [];
    if (settleOrders.length > 0) {
      await queuePreparedRead<{ reservation_id: string; order_id: string; line_id: string | null; line_refused: boolean }>(this.trx, {
        name: 'inventory_lock_held',
        sql: `SELECT r.reservation_id, r.order_id, r.line_id, coalesce(l.status = 'refused', false) AS line_refused
                FROM reservations r LEFT JOIN order_lines l ON l.order_id = r.order_id AND l.line_id = r.line_id
               WHERE r.order_id = ANY(:settleOrders::uuid[]) AND r.status = 'held' ORDER BY r.reservation_id FOR UPDATE OF r`,
        bindings: { settleOrders },
      }, (rows) => (heldIds = rows));
      await queuePreparedRead<PlannedTake & { reservation_id: string }>(this.trx, {
        name: 'inventory_held_lines',
        sql: `SELECT l.reservation_id, l.sku, l.location, l.quantity FROM ${HELD_LINES_OF_ORDERS} ORDER BY l.sku, l.location`,
        bindings: { settleOrders },
      }, (rows) => (heldLines = rows));
    }
    if (this.reserveOrders.size > 0) {
      await queuePreparedRead<{ order_id: string; line_id: string | null; refused: boolean }>(this.trx, {
        name: 'inventory_existing_scopes',
        sql: `SELECT order_id, line_id, false AS refused FROM reservations WHERE order_id = ANY(:orderIds::uuid[])
              UNION ALL
              SELECT order_id, CASE WHEN scope = 'order' THEN NULL ELSE scope END, true FROM inventory_refusals WHERE order_id = ANY(:orderIds::uuid[])`,
        bindings: { orderIds: [...this.reserveOrders] },
      }, (rows) => (scopeRows = rows));
    }
    const rows = await lockStockRowsOf(this.trx, [...this.skus], settleOrders);
    const linesOf = new Map<string, PlannedTake[]>();
    for (const { reservation_id, sku, location, quantity } of heldLines) pushTo(linesOf, reservation_id, { sku, location, quantity });
    const held = new Map<string, Held[]>();
    for (const r of heldIds) pushTo(held, orderKey(r.order_id), { reservationId: r.reservation_id, lines: linesOf.get(r.reservation_id) ?? [], lineId: r.line_id, lineRefused: r.line_refused });
    const scopes = new Set(scopeRows.map((r) => scopeKey(r.order_id, r.line_id)));
    const reservedScopes = new Set(scopeRows.filter((r) => !r.refused).map((r) => scopeKey(r.order_id, r.line_id)));
    return { held, scopes, reservedScopes, rows };
  }
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

// keyed as the rows read back print them: an order or line id a channel sent in upper case still matches
const scopeKey = (orderId: string, scope: Scope) => `${orderKey(orderId)}\u0000${scope?.toLowerCase() ?? ''}`;
