import { randomUUID } from 'crypto';
import type { Knex } from 'knex';
import { SoleOrderReads } from '../../shared/chunk-order-reads';
import { RowsInsert } from '../../shared/db/rows-insert';
import { orderKey } from '../../shared/order-store';
import type { ChunkFlush, HandlerContext } from '../../shared/runner/handler';
import type { GatewayResult } from './gateway';
import { Operation, PaymentRow, paymentsOfOrders } from './payment-repository';

type PaymentInsert = PaymentRow & { failure_reason: string | null };

const PAYMENTS = new RowsInsert<PaymentInsert>('insert_payments', 'payments', {
  payment_id: 'uuid', order_id: 'uuid', operation: 'text', amount_minor: 'bigint', currency: 'text', method: 'text', gateway: 'text',
  external_transaction_id: 'text', status: 'text', idempotency_key: 'text', for_line_id: 'text', failure_reason: 'text',
});

/**
 * The chunk's payment records: each gateway operation is recorded here and the chunk's rows are
 * inserted together when the chunk ends, or earlier, before anyone reads the payments of an order
 * that has rows waiting. The first read of a chunk reads the payments of every order with a single
 * message in the chunk in one statement; each of those is served from there once (its own handler
 * is the only writer of its payments).
 */
export class PaymentLedger implements ChunkFlush {
  private waiting: PaymentInsert[] = [];
  /** Orders (by orderKey) with rows waiting. */
  private readonly waitingOrders = new Set<string>();
  private readonly reads: SoleOrderReads<PaymentRow[]>;

  private constructor(private readonly trx: Knex.Transaction, chunkOrderIds: readonly string[]) {
    this.reads = new SoleOrderReads(chunkOrderIds);
  }

  static of(ctx: HandlerContext): PaymentLedger {
    return ctx.chunkScoped('payment.ledger', () => new PaymentLedger(ctx.trx, ctx.chunkOrderIds));
  }

  /** One payment record per gateway operation; the idempotency key is unique. */
  record(p: { orderId: string; operation: Operation; amountMinor: number; currency: string; method: string; gateway: string; idempotencyKey: string; result: GatewayResult; forLineId?: string | null }): PaymentRow {
    const row: PaymentInsert = {
      payment_id: randomUUID(),
      order_id: p.orderId,
      operation: p.operation,
      amount_minor: p.amountMinor,
      currency: p.currency,
      method: p.method,
      gateway: p.gateway,
      external_transaction_id: p.result.status === 'approved' ? p.result.transactionId : null,
      status: p.result.status,
      idempotency_key: p.idempotencyKey,
      for_line_id: p.forLineId ?? null,
      failure_reason: p.result.status === 'declined' ? `${p.result.reasonCode}: ${p.result.message}` : null,
    };
    this.waiting.push(row);
    this.waitingOrders.add(orderKey(p.orderId));
    const { failure_reason: _f, ...payment } = row;
    return payment;
  }

  /** Writes the order's waiting rows (with the rest) before a read that must see them. */
  async settle(orderId: string): Promise<void> {
    if (this.waitingOrders.has(orderKey(orderId))) await this.flush();
  }

  /** The order's payments, oldest first, including those recorded earlier in this chunk. */
  async paymentsOf(orderId: string): Promise<PaymentRow[]> {
    await this.settle(orderId);
    return (await this.reads.take(orderId, (keys) => paymentsOfOrders(this.trx, keys))) ?? [];
  }

  async flush(): Promise<void> {
    if (this.waiting.length === 0) return;
    const rows = this.waiting;
    this.waiting = [];
    this.waitingOrders.clear();
    await PAYMENTS.queue(this.trx, rows);
  }
}
