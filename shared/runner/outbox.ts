import type { Knex } from 'knex';
import type { Producer } from 'kafkajs';
import { type Db, prepared, type Transact } from '../db/knex';
import { topicMessagesOf } from '../kafka/topic-messages';
import type { Logger } from '../logger';

/** An event as the outbox holds it: the row's columns (the id is the database's). */
export interface OutboxMessage {
  topic: string;
  message_key: string;
  message_value: Buffer;
  event_id: string;
  record_name: string;
}

interface OutboxRow extends OutboxMessage {
  id: string;
}

/** What a transaction committed to the outbox: the rows' ids and their events, to send after the commit. */
export interface CommittedEvents {
  ids: string[];
  messages: OutboxMessage[];
}

/** Port: sends committed outbox rows. The Kafka one is the only production implementation. */
export interface OutboxPublisher {
  /** Sends events the caller has just committed, then deletes their rows. */
  publish(committed: CommittedEvents): Promise<number>;
  /** Sends what is left in the outbox and at least `minAgeMs` old, oldest first; returns how many were sent. */
  sweep(limit: number, minAgeMs: number): Promise<number>;
}

/**
 * After a commit the runner sends the events from memory and deletes their rows in one statement:
 * no second transaction, no reading back what it just wrote. The relay takes only rows older than
 * its grace period, so it does not race a publisher that is still sending; it locks them
 * (`FOR UPDATE SKIP LOCKED`) and deletes them in the same transaction, so two relays never both
 * send one. A row can still be sent twice (a crash between the broker's ack and the delete, or a
 * send slower than the grace period): consumers de-duplicate by eventId.
 */
export class KafkaOutboxPublisher implements OutboxPublisher {
  /** `transact` opens the relay's transactions (the runner's, with its service role). */
  constructor(private readonly db: Db, private readonly transact: Transact, private readonly producer: Producer) {}

  async publish({ ids, messages }: CommittedEvents): Promise<number> {
    if (messages.length === 0) return 0;
    await this.send(messages);
    // the connecting user, not the service role: this is the runner's housekeeping of its own committed rows
    await prepared('outbox_sent', this.db.raw('DELETE FROM outbox WHERE id = ANY(?::bigint[])', [ids]));
    return messages.length;
  }

  sweep(limit: number, minAgeMs: number): Promise<number> {
    return this.transact(async (trx) => {
      let query: Knex.QueryBuilder = trx('outbox').select('*').orderBy('id').limit(limit).forUpdate().skipLocked();
      if (minAgeMs > 0) query = query.whereRaw("created_at < now() - make_interval(secs => ?)", [minAgeMs / 1000]);
      const rows = (await query) as OutboxRow[];
      if (rows.length === 0) return 0;
      await this.send(rows);
      await trx('outbox').whereIn('id', rows.map((r) => r.id)).delete();
      return rows.length;
    });
  }

  private async send(messages: OutboxMessage[]): Promise<void> {
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: topicMessagesOf(messages, (m) => m.topic, (m) => ({
        key: m.message_key,
        value: m.message_value,
        headers: { 'oms-event-id': m.event_id, 'oms-record': m.record_name },
      })),
    });
  }
}

/** Sweeps the outbox on an interval: whatever a crash or a failed send left behind. */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly publisher: OutboxPublisher, private readonly log: Logger, private readonly intervalMs: number, private readonly graceMs: number) {}

  /** Drains the outbox completely, whatever the rows' age (at start-up, before consuming). */
  async drain(minAgeMs = 0): Promise<number> {
    let total = 0;
    for (let sent = await this.publisher.sweep(500, minAgeMs); sent > 0; sent = await this.publisher.sweep(500, minAgeMs)) total += sent;
    if (total > 0) this.log.info({ sent: total }, 'outbox relay sent events left unsent');
    return total;
  }

  start(): void {
    const tick = () => {
      this.running = this.drain(this.graceMs)
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
