import type { Housekeeping } from '../../shared/runner/handler';

/** Orders one sweep asks to cancel at most: a backlog of expired holds goes out over several sweeps. */
const SWEEP_LIMIT = 500;

/**
 * Reservation holds expire (DESIGN): an order still Processing (its stock reserved, its payment not
 * authorized) whose hold is older than `holdSeconds` is cancelled with reason `reservation_expired`.
 * The cancellation is the ordinary one (intake moves the order to Cancelled and announces it;
 * inventory releases, payment voids whatever it authorized meanwhile, the customer is told), so a
 * sweep only asks for it with a CancelOrder. A sweep that dies before its send is repeated by the
 * next (the order is still Processing); a CancelOrder that comes twice is refused by the OrderState
 * table the second time. An order past Processing (paid, with the warehouse) keeps its hold until
 * it ships or is cancelled.
 */
export const holdExpiry = (holdSeconds: number, intervalMs: number): Housekeeping => ({
  name: 'hold-expiry',
  intervalMs,
  async run({ transact, publishCommands, log }) {
    const expired = (await transact((trx) =>
      trx.raw(
        `SELECT DISTINCT r.order_id FROM reservations r JOIN orders o ON o.order_id = r.order_id
         WHERE r.status = 'held' AND r.created_at < now() - make_interval(secs => ?) AND o.state = 'Processing'
         LIMIT ?`,
        [holdSeconds, SWEEP_LIMIT],
      ),
    )).rows as { order_id: string }[];
    const detail = `stock held ${holdSeconds} s without an authorized payment`;
    await publishCommands('io.oms.commands.CancelOrder', expired.map(({ order_id: orderId }) => ({ orderId, reason: 'reservation_expired', requestedBy: 'inventory', detail })));
    if (expired.length > 0) log.info({ orders: expired.length, holdSeconds }, 'reservation holds expired: cancellations requested');
    return expired.length;
  },
});
