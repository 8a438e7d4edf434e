import type { Knex } from 'knex';
import type { ShipmentDelivered, ShipmentDispatched } from '../../shared/contracts/types.generated';
import { queuePreparedWrite } from '../../shared/db/prepared-statement';
import { transitionOrders, TransitionResult } from '../../shared/order-state';
import { orderKey, queueLockOrders } from '../../shared/order-store';
import type { ChunkFlush, HandlerContext } from '../../shared/runner/handler';
import { extend } from '../../shared/extend';

type Report =
  | { kind: 'dispatched'; event: ShipmentDispatched; ctx: HandlerContext }
  | { kind: 'delivered'; event: ShipmentDelivered; ctx: HandlerContext };

/**
 * The chunk's warehouse reports, applied together: handlers queue what the warehouse said; the
 * flush moves every order in one guarded-transition statement (Shipped, or Delivered), queues the
 * shipments of the applied reports in one write per kind (carried by the chunk's next statement,
 * no round trip of their own), and announces them in message order. An order reported twice in
 * one chunk (dispatched, then delivered) goes in a second round, after the first round's writes.
 */
export class WarehouseBatch implements ChunkFlush {
  private queued: Report[] = [];

  private constructor(private readonly trx: Knex.Transaction) {}

  static queue(ctx: HandlerContext, report: Omit<Report, 'ctx'>): void {
    ctx.chunkScoped('fulfillment.warehouse', () => new WarehouseBatch(ctx.trx)).queued.push(extend(report, { ctx }) as Report);
  }

  async flush(): Promise<void> {
    let pending = this.queued;
    this.queued = [];
    // a report refused by its guard is decided under a lock taken after the move's; with every order
    // locked first, in key order, no round of this chunk waits on another service's chunk in a cycle
    if (pending.length > 0) await queueLockOrders(this.trx, pending.map((r) => r.event.orderId));
    while (pending.length > 0) {
      const round: Report[] = [];
      const later: Report[] = [];
      const inRound = new Set<string>();
      for (const r of pending) {
        const key = orderKey(r.event.orderId);
        (inRound.has(key) ? later : round).push(r);
        inRound.add(key);
      }
      await this.apply(round);
      pending = later;
    }
  }

  private async apply(round: Report[]): Promise<void> {
    const results = await transitionOrders(this.trx, round.map((r) => ({
      orderId: r.event.orderId,
      to: r.kind === 'dispatched' ? 'Shipped' : 'Delivered',
      cause: r.ctx.cause,
      options: { onlyFrom: [r.kind === 'dispatched' ? 'Awaiting_Shipment' : 'Shipped'] },
    })));
    const dispatched = round.flatMap((r, i) => (r.kind === 'dispatched' && results[i]!.applied ? [r.event] : []));
    if (dispatched.length) {
      // the shipment rows and their fulfilments' new status in one statement, queued: the chunk's next statement carries it
      await queuePreparedWrite(this.trx, 'shipments_dispatched',
        `WITH shipment AS (
           INSERT INTO shipments (shipment_id, order_id, carrier, tracking_number, status, dispatched_at)
           SELECT shipment_id, order_id, carrier, tracking_number, 'dispatched', dispatched_at
             FROM unnest(:shipmentIds::text[], :orderIds::uuid[], :carriers::text[], :trackingNumbers::text[], :ats::timestamptz[])
               AS d(shipment_id, order_id, carrier, tracking_number, dispatched_at)
         )
         UPDATE fulfillments SET status = 'shipped', updated_at = now() WHERE order_id = ANY(:orderIds::uuid[])`,
        {
          shipmentIds: dispatched.map((e) => e.shipmentId), orderIds: dispatched.map((e) => e.orderId), carriers: dispatched.map((e) => e.carrier),
          trackingNumbers: dispatched.map((e) => e.trackingNumber), ats: dispatched.map((e) => new Date(e.occurredAt)),
        },
      );
    }
    const delivered = round.flatMap((r, i) => (r.kind === 'delivered' && results[i]!.applied ? [r.event] : []));
    if (delivered.length) {
      await queuePreparedWrite(this.trx, 'shipments_delivered',
        `UPDATE shipments s SET status = 'delivered', delivered_at = d.at
           FROM unnest(:orderIds::uuid[], :ats::timestamptz[]) AS d(order_id, at)
          WHERE s.order_id = d.order_id`,
        { orderIds: delivered.map((e) => e.orderId), ats: delivered.map((e) => new Date(e.occurredAt)) },
      );
    }
    for (const [i, r] of round.entries()) await announce(r, results[i]!);
  }
}

async function announce(r: Report, result: TransitionResult): Promise<void> {
  if (!result.applied) return r.ctx.log.warn({ reason: result.reason }, r.kind === 'dispatched' ? 'shipment refused' : 'delivery refused');
  if (r.kind === 'dispatched') {
    const e = r.event;
    await r.ctx.emit('io.oms.fulfillment.OrderShipped', { shipmentId: e.shipmentId, carrier: e.carrier, trackingNumber: e.trackingNumber, orderVersion: result.version });
  } else {
    await r.ctx.emit('io.oms.fulfillment.OrderDelivered', { shipmentId: r.event.shipmentId, orderVersion: result.version });
  }
}
