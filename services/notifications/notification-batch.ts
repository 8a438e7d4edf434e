import { randomUUID } from 'crypto';
import type { Knex } from 'knex';
import type { Customer, NotificationKind } from '../../shared/contracts/types.generated';
import type { ChunkFlush, HandlerContext } from '../../shared/runner/handler';
import { compose, type Facts } from './messages';
import { extend } from '../../shared/extend';
import { orderKey } from '../../shared/order-store';
import { RowsInsert } from '../../shared/db/rows-insert';

// claims each (order, kind, about) once: the unique row is what makes a notification happen at most once
const NOTIFICATIONS = new RowsInsert<{ notification_id: string; order_id: string; kind: NotificationKind; about: string; channel: 'SMS' | 'EMAIL'; recipient: string; withheld_reason: string | null }>(
  'insert_notifications', 'notifications',
  { notification_id: 'uuid', order_id: 'uuid', kind: 'text', about: 'text', channel: 'text', recipient: 'text', withheld_reason: 'text' },
  'ON CONFLICT (order_id, kind, about) DO NOTHING RETURNING notification_id',
);

/** An order's notifications of one kind; with `about`, one notification (unique per order, kind and about). */
const kindKey = (orderId: string, kind: NotificationKind) => `${orderKey(orderId)}/${kind}`;
const notificationKey = (orderId: string, kind: NotificationKind, about: string) => `${kindKey(orderId, kind)}/${about}`;

export interface NotificationRequest {
  orderId: string;
  kind: NotificationKind;
  /** What in the order it is about, when there can be several of a kind (a refused line's id); one notification per order, kind and this. */
  about?: string;
  facts: Facts;
  /** From the event when it carries them; otherwise read from the order. */
  customer?: Customer;
  orderRef?: string;
  /** The most notifications of this kind one order sends (0 = no limit); past it each is recorded as withheld and not sent. */
  limitPerOrder?: number;
  /** Runs once the batch knows whether this notification went out. */
  then?: (sent: boolean) => Promise<void>;
}

interface Queued extends NotificationRequest {
  ctx: HandlerContext;
}

/**
 * The chunk's notifications, written together: handlers queue what the customer should be told;
 * after the chunk's last handler one query reads the orders that need a customer, one multi-row
 * insert claims each (order, kind, about) once (the unique row is what makes a notification
 * happen at most once), and the claimed ones are announced in message order.
 */
export class NotificationBatch implements ChunkFlush {
  private readonly queued: Queued[] = [];

  constructor(private readonly trx: Knex.Transaction) {}

  static queue(ctx: HandlerContext, request: NotificationRequest): void {
    ctx.chunkScoped('notifications.batch', () => new NotificationBatch(ctx.trx)).queued.push(extend(request, { ctx }));
  }

  async flush(): Promise<void> {
    const orders = await this.ordersToLookUp();
    const claimed = new Set<string>();
    const planned = this.queued.map((q) => {
      const order = orders.get(orderKey(q.orderId));
      const customer = q.customer ?? order?.customer;
      const about = q.about ?? '';
      const key = notificationKey(q.orderId, q.kind, about);
      if (!customer || customer.contactPreference === 'NONE' || claimed.has(key)) return { q, row: null };
      claimed.add(key);
      const channel: 'SMS' | 'EMAIL' = customer.contactPreference === 'SMS' && customer.phone ? 'SMS' : 'EMAIL';
      const recipient = channel === 'SMS' ? customer.phone! : customer.email;
      const orderRef = q.orderRef ?? order?.channel_order_ref ?? q.orderId;
      return { q, customer, orderRef, row: { notification_id: randomUUID(), order_id: q.orderId, kind: q.kind, about, channel, recipient, withheld_reason: null as string | null } };
    });
    await this.withholdPastLimits(planned);
    const rows = planned.flatMap((p) => (p.row ? [p.row] : []));
    const inserted = await NOTIFICATIONS.returning<{ notification_id: string }>(this.trx, rows);
    const sent = new Set(inserted.map((r) => r.notification_id));
    for (const { q, row, customer, orderRef } of planned) {
      const isSent = row !== null && sent.has(row.notification_id) && row.withheld_reason === null;
      if (isSent) {
        const { subject, body } = compose(q.kind, customer!, { orderRef: orderRef!, ...q.facts });
        await q.ctx.emit('io.oms.notifications.CustomerNotification', {
          orderId: q.orderId, notificationId: row.notification_id, kind: q.kind, channel: row.channel, recipient: row.recipient, subject, body,
          carrier: q.facts.carrier ?? null, trackingNumber: q.facts.trackingNumber ?? null,
        });
      }
      await q.then?.(isSent);
    }
  }

  /**
   * Marks withheld the planned notifications past their kind's limit per order, in message order,
   * counting those the order has sent before. One query, only for a chunk that has limited
   * notifications (a refused line is rare). A notification already recorded is left alone: its
   * insert is ignored, and it counted when it was first handled.
   */
  private async withholdPastLimits(planned: { q: Queued; row: { order_id: string; kind: NotificationKind; about: string; withheld_reason: string | null } | null }[]): Promise<void> {
    const limited = planned.filter((p) => p.row !== null && (p.q.limitPerOrder ?? 0) > 0);
    if (limited.length === 0) return;
    const recorded = (await this.trx('notifications')
      .whereIn('order_id', [...new Set(limited.map((p) => p.q.orderId))])
      .whereIn('kind', [...new Set(limited.map((p) => p.q.kind))])
      .select('order_id', 'kind', 'about', 'withheld_reason')) as { order_id: string; kind: NotificationKind; about: string; withheld_reason: string | null }[];
    const known = new Set(recorded.map((r) => notificationKey(r.order_id, r.kind, r.about)));
    const sentSoFar = new Map<string, number>();
    for (const r of recorded) {
      if (r.withheld_reason === null) sentSoFar.set(kindKey(r.order_id, r.kind), (sentSoFar.get(kindKey(r.order_id, r.kind)) ?? 0) + 1);
    }
    for (const { q, row } of limited) {
      const key = notificationKey(q.orderId, q.kind, row!.about);
      if (known.has(key)) continue;
      known.add(key);
      const sent = sentSoFar.get(kindKey(q.orderId, q.kind)) ?? 0;
      if (sent >= q.limitPerOrder!) row!.withheld_reason = `the order has sent its customer ${q.limitPerOrder} ${q.kind} notifications, the most it sends (NOTIFY_LINE_REFUSED_PER_ORDER)`;
      else sentSoFar.set(kindKey(q.orderId, q.kind), sent + 1);
    }
  }

  /** The orders the queued notifications need, keyed by orderKey. */
  private async ordersToLookUp(): Promise<Map<string, { customer: Customer; channel_order_ref: string }>> {
    const ids = [...new Set(this.queued.filter((q) => !q.customer || !q.orderRef).map((q) => q.orderId))];
    if (ids.length === 0) return new Map();
    const rows = (await this.trx('orders').whereIn('order_id', ids).select('order_id', 'customer', 'channel_order_ref')) as { order_id: string; customer: Customer; channel_order_ref: string }[];
    return new Map(rows.map((r) => [orderKey(r.order_id), r]));
  }
}
