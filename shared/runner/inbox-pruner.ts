import { deleteInBatches } from '../db/delete-in-batches';
import type { Transact } from '../db/knex';
import type { Logger } from '../logger';
import { PeriodicTask } from './periodic-task';

/**
 * Deletes one consumer's inbox rows older than the retention, at start-up and then on an interval.
 * An event is de-duplicated only while its row lives, so the retention has to outlast every way an
 * event can arrive again: the relay re-sends within seconds, but a group that lost its committed
 * offsets re-reads all the topics retain (Kafka's default: 168 hours). The BRIN index on
 * `processed_at` finds old rows without a scan of the whole table and costs inserts next to nothing.
 */
export class InboxPruner {
  private readonly task: PeriodicTask;

  constructor(private readonly transact: Transact, private readonly consumer: string, private readonly retentionHours: number, intervalMs: number, private readonly log: Logger) {
    this.task = new PeriodicTask(() => this.prune(), intervalMs, (err) => this.log.warn({ err }, 'inbox pruning failed; will try again'));
  }

  /** Deletes the expired rows in batches; returns how many. */
  async prune(): Promise<number> {
    const total = await deleteInBatches(this.transact, 'inbox', 'consumer = ? AND processed_at < now() - make_interval(hours => ?)', [this.consumer, this.retentionHours]);
    if (total > 0) this.log.info({ deleted: total, retentionHours: this.retentionHours }, 'inbox rows past their retention deleted');
    return total;
  }

  start(): void {
    this.task.start(0);
  }

  stop(): Promise<void> {
    return this.task.stop();
  }
}
