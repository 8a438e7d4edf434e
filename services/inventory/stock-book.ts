import { randomUUID } from 'crypto';
import type { Knex } from 'knex';
import { queueWrite } from '../../shared/db/pipelined-transaction';
import { preparedRows } from '../../shared/db/prepared-statement';
import type { ChunkFlush, HandlerContext } from '../../shared/runner/handler';
import { Demand, planReservation, PlannedTake, Shortage } from './reservation-plan';
import { lockStockRows, stockRowKey, writeStockRows } from './stock-rows';

type Scope = string | null; // null: the order's placed lines; else one added line's id
type Settlement = 'released' | 'committed';

/** What a queued step sees when the chunk's stock is locked; every change is buffered. */
export interface LockedStock {
  /** A reservation or a refusal already exists for this scope of the order. */
  has(orderId: string, scope: Scope): boolean;
  /** All of `lines` or nothing, planned on the locked rows; a refusal is recorded on failure. */
  reserve(orderId: string, scope: Scope, lines: Demand[]): { ok: true; reservationId: string; takes: PlannedTake[] } | { ok: false; shortages: Shortage[] };
  /** Ends every held reservation of the order: released (stock back) or committed (stock gone). */
  settle(orderId: string, outcome: Settlement): { ids: string[]; lines: PlannedTake[] };
}

interface Step {
  ctx: HandlerContext;
  run: (stock: LockedStock) => Promise<void>;
}

interface Held {
  reservationId: string;
  lines: PlannedTake[];
}

/**
 * The chunk's stock ledger. Handlers queue their stock steps (with the SKUs or orders they will
 * touch); after the chunk's last handler the ledger locks every reservation and stock row the
 * steps need in one sorted query each, runs the steps in message order against those rows in
 * memory, and writes each changed row once. Stock rows are the hot spot of the whole saga: holding
 * them only for this final step, instead of from a chunk's first reservation to its commit, lets
 * inventory chunks from several partitions and instances overlap.
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

  /** Queues a step that settles the held reservations of `orderId`. */
  queueSettlement(ctx: HandlerContext, orderId: string, run: Step['run']): void {
    this.settleOrders.add(orderId);
    this.steps.push({ ctx, run });
  }

  async flush(): Promise<void> {
    if (this.steps.length === 0) return;
    const held = await this.lockHeld();
    const scopes = await this.existingScopes();
    for (const h of held.values()) for (const r of h) for (const l of r.lines) this.skus.add(l.sku);
    const rows = await lockStockRows(this.trx, [...this.skus]);
    const stock = new Map(rows.map((r) => [stockRowKey(r), { ...r }]));
    const changed = new Set<string>();
    const newReservations: { reservation_id: string; order_id: string; line_id: Scope; status: 'held' }[] = [];
    const newLines: (PlannedTake & { reservation_id: string })[] = [];
    const refusals: { order_id: string; scope: string; lines: string }[] = [];
    const settled: Record<Settlement, string[]> = { released: [], committed: [] };

    const locked: LockedStock = {
      has: (orderId, scope) => scopes.has(scopeKey(orderId, scope)),
      reserve: (orderId, scope, lines) => {
        const plan = planReservation(lines, [...stock.values()]); // it picks each SKU's rows itself
        scopes.add(scopeKey(orderId, scope));
        if (!plan.ok) {
          refusals.push({ order_id: orderId, scope: scope ?? 'order', lines: JSON.stringify(plan.shortages) });
          return plan;
        }
        const reservationId = randomUUID();
        for (const t of plan.takes) {
          stock.get(stockRowKey(t))!.reserved += t.quantity;
          changed.add(stockRowKey(t));
        }
        newReservations.push({ reservation_id: reservationId, order_id: orderId, line_id: scope, status: 'held' });
        newLines.push(...plan.takes.map((t) => ({ reservation_id: reservationId, ...t })));
        held.set(orderId, [...(held.get(orderId) ?? []), { reservationId, lines: plan.takes }]);
        return { ok: true, reservationId, takes: plan.takes };
      },
      settle: (orderId, outcome) => {
        const ending = held.get(orderId) ?? [];
        held.delete(orderId);
        const lines = ending.flatMap((h) => h.lines);
        for (const l of lines) {
          const row = stock.get(stockRowKey(l))!;
          row.reserved -= l.quantity;
          if (outcome === 'committed') row.on_hand -= l.quantity;
          changed.add(stockRowKey(l));
        }
        settled[outcome].push(...ending.map((h) => h.reservationId));
        return { ids: ending.map((h) => h.reservationId), lines };
      },
    };
    for (const step of this.steps) await step.run(locked);

    // queued: they go out with the outbox row and the COMMIT, in one round trip
    if (newReservations.length) await queueWrite(this.trx, this.trx('reservations').insert(newReservations));
    if (newLines.length) await queueWrite(this.trx, this.trx('reservation_lines').insert(newLines));
    if (refusals.length) await queueWrite(this.trx, this.trx('inventory_refusals').insert(refusals).onConflict(['order_id', 'scope']).ignore());
    for (const outcome of ['released', 'committed'] as const) {
      const ids = settled[outcome];
      if (ids.length) await queueWrite(this.trx, this.trx('reservations').whereIn('reservation_id', ids).update({ status: outcome, updated_at: this.trx.fn.now() }));
    }
    await writeStockRows(this.trx, [...changed].sort().map((k) => stock.get(k)!));
  }

  /** Held reservations of the orders being settled, locked, with their lines. */
  private async lockHeld(): Promise<Map<string, Held[]>> {
    const held = new Map<string, Held[]>();
    if (this.settleOrders.size === 0) return held;
    const ids = (await this.trx('reservations').whereIn('order_id', [...this.settleOrders]).where({ status: 'held' }).orderBy('reservation_id').forUpdate().select('reservation_id', 'order_id')) as { reservation_id: string; order_id: string }[];
    if (ids.length === 0) return held;
    const lines = (await this.trx('reservation_lines').whereIn('reservation_id', ids.map((r) => r.reservation_id)).orderBy(['sku', 'location']).select('reservation_id', 'sku', 'location', 'quantity')) as (PlannedTake & { reservation_id: string })[];
    const linesOf = new Map<string, PlannedTake[]>();
    for (const { reservation_id, sku, location, quantity } of lines) linesOf.set(reservation_id, [...(linesOf.get(reservation_id) ?? []), { sku, location, quantity }]);
    for (const r of ids) held.set(r.order_id, [...(held.get(r.order_id) ?? []), { reservationId: r.reservation_id, lines: linesOf.get(r.reservation_id) ?? [] }]);
    return held;
  }

  /** Scopes that already have a reservation or a refusal, for the orders that may reserve: one prepared statement for both tables. */
  private async existingScopes(): Promise<Set<string>> {
    const scopes = new Set<string>();
    if (this.reserveOrders.size === 0) return scopes;
    const rows = await preparedRows<{ order_id: string; line_id: string | null }>(this.trx, 'inventory_existing_scopes',
      `SELECT order_id, line_id FROM reservations WHERE order_id = ANY(:orderIds::uuid[])
       UNION ALL
       SELECT order_id, CASE WHEN scope = 'order' THEN NULL ELSE scope END FROM inventory_refusals WHERE order_id = ANY(:orderIds::uuid[])`,
      { orderIds: [...this.reserveOrders] },
    );
    for (const r of rows) scopes.add(scopeKey(r.order_id, r.line_id));
    return scopes;
  }
}

const scopeKey = (orderId: string, scope: Scope) => `${orderId}\u0000${scope ?? ''}`;
