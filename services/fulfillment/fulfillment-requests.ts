import { randomUUID } from 'crypto';
import type { Knex } from 'knex';
import { RowsInsert } from '../../shared/db/rows-insert';
import { transitionOrders } from '../../shared/order-state';
import type { OrderLineRow, OrderRow } from '../../shared/order-store';
import type { ChunkFlush, HandlerContext } from '../../shared/runner/handler';
import { extend } from '../../shared/extend';

// queued: it goes out with the transaction's next statement
const FULFILLMENTS = new RowsInsert<{ fulfillment_id: string; order_id: string; status: 'requested' }>(
  'insert_fulfillments', 'fulfillments', { fulfillment_id: 'uuid', order_id: 'uuid', status: 'text' },
);

interface Ready {
  ctx: HandlerContext;
  order: OrderRow;
  reserved: OrderLineRow[];
}

/**
 * The chunk's orders found ready to ship, requested together: one guarded-transition statement
 * moves them to Awaiting_Shipment, one insert records their fulfilments, and FulfillmentRequested
 * goes out in message order. An order is requested once per chunk: a second event finding it
 * ready would, one by one, have found it Awaiting_Shipment already.
 */
export class FulfillmentRequests implements ChunkFlush {
  private readonly queued: Ready[] = [];
  private readonly queuedOrders = new Set<string>();

  private constructor(private readonly trx: Knex.Transaction) {}

  static of(ctx: HandlerContext): FulfillmentRequests {
    return ctx.chunkScoped('fulfillment.requests', () => new FulfillmentRequests(ctx.trx));
  }

  /** False when the order is already requested in this chunk. */
  queue(ready: Ready): boolean {
    if (this.queuedOrders.has(ready.order.order_id)) return false;
    this.queuedOrders.add(ready.order.order_id);
    this.queued.push(ready);
    return true;
  }

  async flush(): Promise<void> {
    if (this.queued.length === 0) return;
    const moves = await transitionOrders(this.trx, this.queued.map((q) => ({ orderId: q.order.order_id, to: 'Awaiting_Shipment', cause: q.ctx.cause })));
    const requested = this.queued.flatMap((q, i) => {
      const moved = moves[i]!;
      return moved.applied ? [extend(q, { version: moved.version, fulfillmentId: randomUUID() })] : [];
    });
    if (requested.length === 0) return;
    await FULFILLMENTS.queue(this.trx, requested.map((r) => ({ fulfillment_id: r.fulfillmentId, order_id: r.order.order_id, status: 'requested' as const })));
    for (const { ctx, order, reserved, version, fulfillmentId } of requested) {
      await ctx.emit('io.oms.fulfillment.FulfillmentRequested', {
        fulfillmentId,
        lines: reserved.map((l) => ({ sku: l.sku, name: l.name, quantity: l.quantity })),
        shippingAddress: order.shipping_address,
        shippingMethod: order.shipping_method,
        deliveryPreferences: order.delivery_preferences,
        orderVersion: version,
      });
    }
  }
}
