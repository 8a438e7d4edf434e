import type { Knex } from 'knex';
import { preparedRows } from '../../shared/db/prepared-statement';
import { groupByOrder } from '../../shared/order-store';

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
  /** The added line an authorization was asked for; null for the order's own and for every other operation. */
  for_line_id: string | null;
}

const PAYMENT_COLUMNS: (keyof PaymentRow)[] = [
  'payment_id', 'order_id', 'operation', 'amount_minor', 'currency', 'method', 'gateway', 'external_transaction_id', 'status', 'idempotency_key', 'for_line_id',
];
const PAYMENTS_OF_ORDERS = `SELECT ${PAYMENT_COLUMNS.join(', ')} FROM payments WHERE order_id = ANY(:orderIds::uuid[]) ORDER BY order_id, created_at, payment_id`;

/** The orders' payments, each order's oldest first, keyed by orderKey. */
export async function paymentsOfOrders(trx: Knex.Transaction, orderIds: readonly string[]): Promise<Map<string, PaymentRow[]>> {
  const rows = await preparedRows<PaymentRow>(trx, 'payments_of_orders', PAYMENTS_OF_ORDERS, { orderIds });
  return groupByOrder(orderIds, rows, (r) => r);
}

/** Approved authorizations with no capture or void yet (keys: `capture:<id>`, `void:<id>`). */
export function openAuthorizations(payments: PaymentRow[]): PaymentRow[] {
  const followed = new Set(payments.filter((p) => p.operation === 'capture' || p.operation === 'void').map((p) => p.idempotency_key.split(':')[1]));
  return payments.filter((p) => p.operation === 'authorize' && p.status === 'approved' && !followed.has(p.payment_id));
}
