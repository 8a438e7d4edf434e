import type { Consumer, TopicPartitionOffsetAndMetadata } from 'kafkajs';
import type { Logger } from '../logger';

type Committer = Pick<Consumer, 'commitOffsets'>;

/**
 * Commits the offsets of messages whose transactions have committed, on an interval, in one
 * request for every partition. kafkajs's auto-commit sends an OffsetCommit after every batch, and
 * a fetch over many partitions hands in many batches at once: their commits queued on the
 * coordinator connection (67 ms per commit at 250 orders/s, bench timings) before the next fetch
 * could start. An offset is only a position to resume from: a message done but not yet committed
 * is redelivered after a crash or rebalance and skipped by the inbox, as before.
 */
export class OffsetCommitter {
  /** Per partition, the next offset to read (Kafka's convention: last done + 1). */
  private pending = new Map<string, TopicPartitionOffsetAndMetadata>();
  /** The partitions this member owns since its last group join; null until it has joined. */
  private owned: Record<string, number[]> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private committing: Promise<void> = Promise.resolve();

  constructor(private readonly consumer: Committer, private readonly intervalMs: number, private readonly log: Logger) {}

  /** `offset` is the last message of `partition` that is done. */
  done(topic: string, partition: number, offset: string): void {
    const next = { topic, partition, offset: (BigInt(offset) + 1n).toString() };
    // a chunk may end after a rebalance took its partition: the new owner commits it, and an older offset from here would rewind it
    if (this.owns(next)) this.pending.set(`${topic}|${partition}`, next);
  }

  /** After a rebalance: forget partitions this member no longer owns (their new owner commits them). */
  keepOnly(assignment: Record<string, number[]>): void {
    this.owned = assignment;
    for (const [key, o] of this.pending) if (!this.owns(o)) this.pending.delete(key);
  }

  private owns(o: TopicPartitionOffsetAndMetadata): boolean {
    return this.owned === null || (this.owned[o.topic]?.includes(o.partition) ?? false);
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  /** Commits what is pending; one commit at a time, so a slow one never reorders offsets. */
  flush(): Promise<void> {
    this.committing = this.committing.then(() => this.commitPending());
    return this.committing;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private async commitPending(): Promise<void> {
    if (this.pending.size === 0) return;
    const offsets = [...this.pending];
    this.pending = new Map();
    try {
      await this.consumer.commitOffsets(offsets.map(([, o]) => o));
    } catch (err) {
      // kept for the next interval unless a newer offset of that partition is done meanwhile, or a rebalance took it away
      for (const [key, o] of offsets) if (!this.pending.has(key) && this.owns(o)) this.pending.set(key, o);
      this.log.warn({ err, partitions: offsets.length }, 'offset commit failed; will try again');
    }
  }
}
