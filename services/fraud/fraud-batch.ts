import type { Knex } from 'knex';
import type { LineItemAdded, OrderPlaced } from '../../shared/contracts/types.generated';
import { queueWrite } from '../../shared/db/pipelined-transaction';
import { hashOfKey } from '../../shared/kafka/partitioner';
import { preparedRows, queuePreparedRead, queuePreparedWrite } from '../../shared/db/prepared-statement';
import { RowsInsert } from '../../shared/db/rows-insert';
import { Cause, transitionOrders, TransitionResult } from '../../shared/order-state';
import { groupByOrder, orderKey } from '../../shared/order-store';
import type { ChunkFlush, HandlerContext } from '../../shared/runner/handler';
import { LINE_ORDER_COLUMNS, lineFacts, lineOutcome, LineOrderRow, type LineOutcome, STORED_DECISION, totalAtLine } from './line-checks';
import { assessOrder, FraudAssessment, FraudRules, OrderFacts } from './rules';

// queued; the facts stay with the check: an added line is scored on them, with the order's new total
const FRAUD_CHECKS = new RowsInsert<{ order_id: string; score: number; decision: string; reasons: string; facts: string }>(
  'insert_fraud_checks', 'fraud_checks', { order_id: 'uuid', score: 'int', decision: 'text', reasons: 'jsonb', facts: 'jsonb' }, 'ON CONFLICT (order_id) DO NOTHING',
);

const KINDS = ['customer', 'email', 'payment_token'] as const;
type Kind = (typeof KINDS)[number];

interface Queued {
  order: OrderPlaced;
  cause: Cause;
  /** The order's total now, when lines were added to it before this check (its version is past the OrderPlaced's); else null. */
  linesAddedBefore: { totalMinor: number } | null;
  /**
   * Runs in message order with the order's assessment and, unless it failed, the outcome of its
   * move (Processing when passed, On_Hold for review; the moves are made together), and the checks
   * of the lines added before it that were scored with it.
   */
  then: (assessment: FraudAssessment, moved: TransitionResult | null, lines: EarlyLineCheck[]) => Promise<void>;
}

/** An added line that reached fraud before its order's check (the OrderPlaced dead-lettered, then replayed), scored with it. */
export interface EarlyLineCheck {
  lineId: string;
  check: LineCheck & { scored: true };
}

/** An added line's check: scored, or why not (its order is not past the gate, or the line has an outcome already). */
export type LineCheck = { scored: true; assessment: FraudAssessment; outcome: LineOutcome; orderVersion: number } | { scored: false; why: string };

interface QueuedLine {
  event: LineItemAdded;
  /** Runs in message order, after the chunk's orders have moved. */
  then: (check: LineCheck) => Promise<void>;
}

/**
 * The chunk's fraud checks, assessed together: handlers queue the Pending orders; one statement
 * records them all in the velocity window, one counts each order's window (the orders placed
 * strictly before its own occurredAt, and itself: the count does not depend on which chunk an
 * order landed in, nor on which of two orders placed in the same millisecond was handled first),
 * one stores the assessments, one moves the orders that were not failed; then each is announced
 * in message order. The chunk's added lines are scored after its orders (flushLines).
 */
export class FraudBatch implements ChunkFlush {
  private readonly queued: Queued[] = [];
  private readonly queuedOrders = new Set<string>();
  private readonly queuedLines: QueuedLine[] = [];

  private constructor(private readonly trx: Knex.Transaction, private readonly rules: FraudRules) {}

  static of(ctx: HandlerContext, rules: FraudRules): FraudBatch {
    return ctx.chunkScoped('fraud.batch', () => new FraudBatch(ctx.trx, rules));
  }

  /**
   * False when the chunk already assesses this order (another OrderPlaced for it): one assessment
   * per order. `current` is the order's row as locked: a version past the OrderPlaced's means lines
   * were added before this check.
   */
  queue(ctx: HandlerContext, order: OrderPlaced, current: { version: number; total_minor: number }, then: Queued['then']): boolean {
    if (this.queuedOrders.has(orderKey(order.orderId))) return false;
    this.queuedOrders.add(orderKey(order.orderId));
    const linesAddedBefore = current.version !== order.orderVersion ? { totalMinor: Number(current.total_minor) } : null;
    this.queued.push({ order, cause: ctx.cause, linesAddedBefore, then });
    return true;
  }

  /** An added line, scored after the chunk's orders (its own order's check may be in this chunk). */
  queueLine(event: LineItemAdded, then: QueuedLine['then']): void {
    this.queuedLines.push({ event, then });
  }

  async flush(): Promise<void> {
    await this.flushOrders();
    await this.flushLines();
  }

  private async flushOrders(): Promise<void> {
    if (this.queued.length === 0) return;
    const keys = this.queued.flatMap(({ order }) => KINDS.map((kind) => ({ order, kind, value: velocityKey(order, kind) })));
    // Two transactions counting one customer at once (two fraud instances, or chunks of two
    // partitions) would each miss the other's uncommitted keys: the second waits here until the
    // first commits, and its count, a later statement, sees the first's keys. Buckets, not one lock
    // per key: a 2,000-order chunk has 6,000 keys, more than Postgres's lock table holds by default.
    // Taken in ascending order, so two chunks never wait on each other in a cycle.
    // queued, like the insert: the window count below carries both, after them
    await queuePreparedRead(this.trx, {
      name: 'fraud_velocity_lock',
      sql: 'SELECT pg_advisory_xact_lock(:namespace::int, bucket) FROM unnest(:buckets::int[]) AS bucket',
      bindings: { namespace: VELOCITY_LOCK_NAMESPACE, buckets: velocityLockBuckets(keys) },
    }, () => undefined);
    await queuePreparedWrite(this.trx, 'fraud_velocity_record',
      `INSERT INTO fraud_velocity (kind, value, order_id, at)
       SELECT * FROM unnest(:kinds::text[], :values::text[], :orderIds::uuid[], :ats::timestamptz[])
       ON CONFLICT (kind, value, order_id) DO NOTHING`,
      { kinds: keys.map((k) => k.kind), values: keys.map((k) => k.value), orderIds: keys.map((k) => k.order.orderId), ats: keys.map((k) => new Date(k.order.occurredAt)) },
    );
    const windowMs = this.rules.velocity.windowMinutes * 60_000;
    const rows = await preparedRows<{ order_id: string; kind: Kind; n: number }>(this.trx, 'fraud_velocity_windows',
      `SELECT w.order_id, w.kind, count(v.order_id)::int AS n
         FROM unnest(:orderIds::uuid[], :kinds::text[], :values::text[], :sinces::timestamptz[], :ats::timestamptz[]) AS w(order_id, kind, value, since, at)
         JOIN fraud_velocity v ON v.kind = w.kind AND v.value = w.value AND v.at > w.since AND (v.at < w.at OR v.order_id = w.order_id)
        GROUP BY w.order_id, w.kind`,
      {
        orderIds: keys.map((k) => k.order.orderId), kinds: keys.map((k) => k.kind), values: keys.map((k) => k.value),
        sinces: keys.map((k) => new Date(k.order.occurredAt - windowMs)), ats: keys.map((k) => new Date(k.order.occurredAt)),
      },
    );
    const count = new Map(rows.map((r) => [`${orderKey(r.order_id)}/${r.kind}`, r.n]));
    const recent = (orderId: string, kind: Kind) => count.get(`${orderKey(orderId)}/${kind}`) ?? 0;

    const assessed = this.queued.map(({ order: e, cause, linesAddedBefore, then }) => {
      const facts: OrderFacts = {
        totalMinor: e.pricing.totalMinor,
        currency: e.currency,
        email: e.customer.email,
        shippingCountry: e.shippingAddress.country,
        billingCountry: e.payment.billingCountry ?? e.billingAddress?.country ?? null,
        accountCreatedAt: e.customer.accountCreatedAt,
        placedAt: e.occurredAt,
        recentOrders: { customer: recent(e.orderId, 'customer'), email: recent(e.orderId, 'email'), paymentToken: recent(e.orderId, 'payment_token') },
      };
      return { e, cause, then, facts, linesAddedBefore, assessment: assessOrder(facts, this.rules) };
    });
    await FRAUD_CHECKS.queue(this.trx, assessed.map(({ e, facts, assessment: { score, decision, reasons } }) => ({ order_id: e.orderId, score, decision, reasons: JSON.stringify(reasons), facts: JSON.stringify(facts) })));
    const moving = assessed.filter((a) => a.assessment.decision !== 'failed');
    const moves = await transitionOrders(this.trx, moving.map(({ e, cause, assessment: { decision, reasons } }) => ({
      orderId: e.orderId,
      to: decision === 'passed' ? 'Processing' : 'On_Hold',
      cause,
      options: { reason: decision === 'review' ? `fraud review: ${reasons.join(', ')}` : undefined },
    })));
    const moved = new Map(moving.map((a, i) => [a, moves[i]!]));
    const passedWithLines = assessed.flatMap((a) => {
      const move = moved.get(a);
      return a.linesAddedBefore && a.assessment.decision === 'passed' && move?.applied ? [{ orderId: a.e.orderId, facts: a.facts, totalMinor: a.linesAddedBefore.totalMinor, orderVersion: move.version }] : [];
    });
    const early = await this.scoreLinesAddedBefore(passedWithLines);
    for (const a of assessed) await a.then(a.assessment, moved.get(a) ?? null, early.get(orderKey(a.e.orderId)) ?? []);
  }

  /**
   * The pending lines of orders that just passed, added before their check and not scored (their
   * LineItemAdded reached fraud while the order was Pending, so it was left for this check), each
   * scored on the total it was added at (totalAtLine), as a release scores them. A line whose
   * LineItemAdded is in this chunk is left to flushLines; one whose LineItemAdded is still to come
   * finds its outcome there. An order held for review leaves its lines to the release.
   */
  private async scoreLinesAddedBefore(orders: { orderId: string; facts: OrderFacts; totalMinor: number; orderVersion: number }[]): Promise<Map<string, EarlyLineCheck[]>> {
    const early = new Map<string, EarlyLineCheck[]>();
    if (orders.length === 0) return early;
    const inChunk = new Set(this.queuedLines.map(({ event }) => `${orderKey(event.orderId)}/${event.line.lineId}`));
    const rows = await preparedRows<{ order_id: string; line_id: string; order_total_minor: string | null }>(this.trx, 'fraud_lines_added_before_check',
      `SELECT l.order_id, l.line_id, l.order_total_minor FROM order_lines l
        WHERE l.order_id = ANY(:orderIds::uuid[]) AND l.origin = 'added' AND l.status = 'pending'
          AND NOT EXISTS (SELECT 1 FROM fraud_line_checks f WHERE f.order_id = l.order_id AND f.line_id = l.line_id)
        ORDER BY l.added_at, l.line_id`,
      { orderIds: orders.map((o) => o.orderId) },
    );
    const linesOf = groupByOrder(orders.map((o) => o.orderId), rows, (r) => r);
    const records: { order_id: string; line_id: string; score: number; decision: string; reasons: string }[] = [];
    for (const o of orders) {
      const key = orderKey(o.orderId);
      const lines = linesOf.get(key)!.filter((l) => !inChunk.has(`${key}/${l.line_id}`));
      if (lines.length === 0) continue;
      early.set(key, lines.map((l) => {
        const assessment = assessOrder({ ...o.facts, totalMinor: totalAtLine(l, o.totalMinor) }, this.rules);
        const outcome = lineOutcome(assessment.decision, { state: 'Processing', released: false });
        records.push({ order_id: o.orderId, line_id: l.line_id, score: assessment.score, decision: STORED_DECISION[outcome], reasons: JSON.stringify(assessment.reasons) });
        return { lineId: l.line_id, check: { scored: true, assessment, outcome, orderVersion: o.orderVersion } };
      }));
    }
    if (records.length > 0) await queueWrite(this.trx, this.trx('fraud_line_checks').insert(records).onConflict(['order_id', 'line_id']).ignore());
    return early;
  }

  /**
   * Each added line scored as the order stands with it: the facts of the order's own check (the
   * velocity counts of its window included; the order is not counted again) with the line's new
   * total. Read after the orders' moves, in this transaction: an order placed in this chunk is
   * past the gate only if its own check moved it, and a release in this chunk counts.
   */
  private async flushLines(): Promise<void> {
    if (this.queuedLines.length === 0) return;
    const orderIds = [...new Set(this.queuedLines.map((l) => l.event.orderId))];
    const rows = await preparedRows<LineOrderRow & { checked_lines: string[] }>(this.trx, 'fraud_line_orders',
      `SELECT ${LINE_ORDER_COLUMNS},
              ARRAY(SELECT f.line_id FROM fraud_line_checks f WHERE f.order_id = o.order_id) AS checked_lines
         FROM orders o LEFT JOIN fraud_checks c ON c.order_id = o.order_id
        WHERE o.order_id = ANY(:orderIds::uuid[])`,
      { orderIds },
    );
    const orders = new Map(rows.map((r) => [orderKey(r.order_id), r]));
    const checked = this.queuedLines.map(({ event, then }): { event: LineItemAdded; then: QueuedLine['then']; check: LineCheck } => {
      const order = orders.get(orderKey(event.orderId));
      // Pending: the order's own check has not passed (its OrderPlaced dead-lettered, say); if it does, it scores this line with it
      if (!order || (order.state !== 'Processing' && order.state !== 'On_Hold')) return { event, then, check: { scored: false, why: `the order is ${order?.state ?? 'unknown'}, not past the fraud gate` } };
      // released with the order by an operator before fraud got to it (or scored already): the outcome stands
      if (order.checked_lines.includes(event.line.lineId)) return { event, then, check: { scored: false, why: 'the line has an outcome already' } };
      const assessment = assessOrder(lineFacts(order, event.pricing.totalMinor, event.occurredAt), this.rules);
      return { event, then, check: { scored: true, assessment, outcome: lineOutcome(assessment.decision, { state: order.state, released: order.released }), orderVersion: order.version } };
    });
    const scored = checked.flatMap((c) => (c.check.scored ? [{ event: c.event, assessment: c.check.assessment, decision: STORED_DECISION[c.check.outcome] }] : []));
    if (scored.length > 0) {
      await queueWrite(this.trx, this.trx('fraud_line_checks')
        .insert(scored.map(({ event, decision, assessment: { score, reasons } }) => ({ order_id: event.orderId, line_id: event.line.lineId, score, decision, reasons: JSON.stringify(reasons) })))
        .onConflict(['order_id', 'line_id'])
        .ignore());
    }
    for (const c of checked) await c.then(c.check);
  }
}

/** The first key of the velocity locks (pg_advisory_xact_lock's two-key form), apart from any other advisory lock a database holds. */
export const VELOCITY_LOCK_NAMESPACE = 0x0f5a_7e10;
const VELOCITY_LOCK_BUCKETS = 128;

/** The distinct lock buckets of a chunk's velocity keys, ascending: a key's bucket is the same in every process (Kafka's key hash). */
export function velocityLockBuckets(keys: { kind: string; value: string }[]): number[] {
  const buckets = new Set(keys.map(({ kind, value }) => (hashOfKey(`${kind}\u0000${value}`) & 0x7fffffff) % VELOCITY_LOCK_BUCKETS));
  return [...buckets].sort((a, b) => a - b);
}

const velocityKey = (e: OrderPlaced, kind: Kind): string =>
  kind === 'customer' ? e.customer.customerId : kind === 'email' ? e.customer.email.toLowerCase() : e.payment.token;
