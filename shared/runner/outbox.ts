import type { Knex } from 'knex';
import type { Producer } from 'kafkajs';
import type { Transact } from '../db/knex';
import type { Logger } from '../logger';

interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  message_value: Buffer;
  event_id: string;
  record_name: string;
}

/** Port: sends committed outbox rows. The Kafka one is the only production implementation. */
export interface OutboxPublisher {
  /** Sends the given rows (if nobody else holds them) and deletes them once the broker acked. */
  publish(ids: string[]): Promise<number>;
  /** Sends whatever is left in the outbox, oldest first; returns how many were sent. */
  sweep(limit: number): Promise<number>;
}

/**
 * Rows are locked (`FOR UPDATE SKIP LOCKED`) while they are sent and deleted in the same
 * transaction, so the after-commit publisher and the relay never both send a row. A crash between
 * the broker's ack and the delete resends the row later: consumers de-duplicate by eventId.
 */
export class KafkaOutboxPublisher implements OutboxPublisher {
  /** `transact` opens the send-and-delete transactions (the runner's, with its service role). */
  constructor(private readonly transact: Transact, private readonly producer: Producer) {}

  publish(ids: string[]): Promise<number> {
    if (ids.length === 0) return Promise.resolve(0);
    return this.sendLocked((q) => q.whereIn('id', ids));
  }

  sweep(limit: number): Promise<number> {
    return this.sendLocked((q) => q.limit(limit));
  }

  private sendLocked(select: (q: Knex.QueryBuilder) => Knex.QueryBuilder): Promise<number> {
    return this.transact(async (trx) => {
      const rows = (await select(trx('outbox').select('*').orderBy('id').forUpdate().skipLocked())) as OutboxRow[];
      if (rows.length === 0) return 0;
      const byTopic = new Map<string, OutboxRow[]>();
      for (const r of rows) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r]);
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, msgs]) => ({
          topic,
          messages: msgs.map((r) => ({
            key: r.message_key,
            value: r.message_value,
            headers: { 'oms-event-id': r.event_id, 'oms-record': r.record_name },
          })),
        })),
      });
      await trx('outbox').whereIn('id', rows.map((r) => r.id)).delete();
      return rows.length;
    });
  }
}

/** Sweeps the outbox on an interval: whatever a crash between commit and send left behind. */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly publisher: OutboxPublisher, private readonly log: Logger, private readonly intervalMs: number) {}

  /** Drains the outbox completely (used at start-up, before consuming). */
  async drain(): Promise<number> {
    let total = 0;
    for (let sent = await this.publisher.sweep(500); sent > 0; sent = await this.publisher.sweep(500)) total += sent;
    if (total > 0) this.log.info({ sent: total }, 'outbox relay sent events left from an earlier run');
    return total;
  }

  start(): void {
    const tick = () => {
      this.running = this.drain()
        .then(() => undefined)
        .catch((err) => this.log.warn({ err }, 'outbox relay sweep failed; will try again'))
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(tick, this.intervalMs);
        });
    };
    this.timer = setTimeout(tick, this.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
