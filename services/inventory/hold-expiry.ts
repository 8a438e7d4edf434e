import type { Housekeeping } from '../../shared/runner/handler';

/** Orders one batch of a sweep asks to cancel at most. */
const SWEEP_BATCH = 500;
/** Batches one sweep runs at most (10,000 orders): a stop waits for the sweep in progress, so a sweep stays short; the next goes on. */
const SWEEP_BATCHES = 20;
/** Below every order id: where a sweep's first batch starts. */
const FIRST_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * Reservation holds expire (DESIGN): an order still Processing (its stock reserved, its payment not
 * authorized) whose hold is older than `holdSeconds` is cancelled with reason `reservation_expired`.
 * The cancellation is the ordinary one (intake moves the order to Cancelled and announces it;
 * inventory releases, payment voids whatever it authorized meanwhile, the customer is told), so a
 * sweep only asks for it with a CancelOrder. A sweep that dies before its send is repeated by the
 * next (the order is still Processing); a CancelOrder that comes twice is refused by the OrderState
 * table the second time. An order past Processing (paid, with the warehouse) keeps its hold until
 * it ships or is cancelled.
 *
 * One sweep asks for up to `batches` × `batchSize` holds due, in batches taken in key order (each
 * a short transaction and one send): after an outage of payment, 10,000 orders a sweep, not 500 as
 * before. Each batch goes on from the last order asked for, since intake cancels the orders of a
 * batch while the sweep reads the next.
 */
export const holdExpiry = (holdSeconds: number, intervalMs: number, batchSize = SWEEP_BATCH, batches = SWEEP_BATCHES): Housekeeping => ({
  name: 'hold-expiry',
  intervalMs,
  async run({ transact, publishCommands, log }) {
    const detail = `stock held ${holdSeconds} s without an authorized payment`;
    let asked = 0;
    for (let batch = 0, after = FIRST_UUID; batch < batches; batch++) {
      const expired = (await transact((trx) =>
        trx.raw(
          `SELECT DISTINCT r.order_id FROM reservations r JOIN orders o ON o.order_id = r.order_id
           WHERE r.status = 'held' AND r.created_at < now() - make_interval(secs => ?) AND o.state = 'Processing'
             AND r.order_id > ?::uuid
           ORDER BY r.order_id
           LIMIT ?`,
          [holdSeconds, after, batchSize],
        ),
      )).rows as { order_id: string }[];
      await publishCommands('io.oms.commands.CancelOrder', expired.map(({ order_id: orderId }) => ({ orderId, reason: 'reservation_expired', requestedBy: 'inventory', detail })));
      asked += expired.length;
      if (expired.length < batchSize) break;
      after = expired[expired.length - 1]!.order_id;
    }
    if (asked > 0) log.info({ orders: asked, holdSeconds }, 'reservation holds expired: cancellations requested');
    return asked;
  },
});
