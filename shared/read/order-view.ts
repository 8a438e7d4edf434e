import type { Db } from '../db/knex';
import { linesInOrder } from '../order-store';

/** get_order: the order with lines, price breakdown, payments, shipments and status history. */
export async function getOrder(db: Db, orderId: string) {
  const order = await db('orders').where({ order_id: orderId }).first();
  if (!order) return null;
  const [lines, priceComponents, payments, shipments, history] = await Promise.all([
    db('order_lines').where({ order_id: orderId }).orderByRaw(linesInOrder()),
    db('order_price_components').where({ order_id: orderId }).orderBy('seq'),
    db('payments').where({ order_id: orderId }).orderBy('created_at'),
    db('shipments').where({ order_id: orderId }).orderBy('dispatched_at'),
    db('order_status_history').where({ order_id: orderId }).orderBy('id'),
  ]);
  return { ...order, lines, priceComponents, payments, shipments, history };
}
