import { randomUUID } from 'crypto';
import type { Knex } from 'knex';
import { prepared } from '../../shared/db/knex';
import type { GatewayResult } from './gateway';

export type Operation = 'authorize' | 'capture' | 'void' | 'refund';

export interface PaymentRow {
  payment_id: string;
  order_id: string;
  operation: Operation;
  amount_minor: number;
  currency: string;
  method: string;
  gateway: string;
  external_transaction_id: string | null;
  status: 'approved' | 'declined';
  idempotency_key: string;
}

const PAYMENT_COLUMNS: (keyof PaymentRow)[] = [
  'payment_id', 'order_id', 'operation', 'amount_minor', 'currency', 'method', 'gateway', 'external_transaction_id', 'status', 'idempotency_key',
];

/** One Payment record per gateway operation; the idempotency key is unique. */
export async function recordPayment(
  trx: Knex.Transaction,
  p: { orderId: string; operation: Operation; amountMinor: number; currency: string; method: string; gateway: string; idempotencyKey: string; result: GatewayResult },
): Promise<PaymentRow> {
  const row = {
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
    failure_reason: p.result.status === 'declined' ? `${p.result.reasonCode}: ${p.result.message}` : null,
  };
  await prepared('record_payment', trx('payments').insert(row));
  return row as PaymentRow;
}

export async function paymentsOf(trx: Knex.Transaction, orderId: string): Promise<PaymentRow[]> {
  return (await prepared('payments_of', trx('payments').where({ order_id: orderId }).orderBy('created_at').orderBy('payment_id').select(PAYMENT_COLUMNS))) as PaymentRow[];
}

/** Approved authorizations with no capture or void yet (keys: `capture:<id>`, `void:<id>`). */
export function openAuthorizations(payments: PaymentRow[]): PaymentRow[] {
  const followed = new Set(payments.filter((p) => p.operation === 'capture' || p.operation === 'void').map((p) => p.idempotency_key.split(':')[1]));
  return payments.filter((p) => p.operation === 'authorize' && p.status === 'approved' && !followed.has(p.payment_id));
}
