import { deleteInBatches } from '../../shared/db/delete-in-batches';
import type { Housekeeping } from '../../shared/runner/handler';

/**
 * Deletes velocity keys older than `retentionHours`, so `fraud_velocity` holds a window's worth of
 * orders instead of every order ever placed. A key is needed while some order's window can still
 * reach it: the window (config/fraud.json) plus however late an OrderPlaced reaches its check. An
 * order checked later than retention − window after it was placed counts fewer orders than it
 * should; the retention's default leaves a day for that. Keys are dated by the order's
 * `occurredAt`, which the BRIN index on `at` finds without a scan of the table.
 */
export const velocityRetention = (retentionHours: number, intervalMs: number): Housekeeping => ({
  name: 'velocity-retention',
  intervalMs,
  async run({ transact, log }) {
    const deleted = await deleteInBatches(transact, 'fraud_velocity', 'at < now() - make_interval(hours => ?)', [retentionHours]);
    if (deleted > 0) log.info({ deleted, retentionHours }, 'velocity keys past their retention deleted');
    return deleted;
  },
});
