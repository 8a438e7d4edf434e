import type { Knex } from 'knex';
import type { MessageSender } from '../kafka/renewing-producer';
import { type Db, type Transact, type Trx } from '../db/knex';
import { preparedRows } from '../db/prepared-statement';
import { sendSlices } from '../kafka/send-slices';
import { topicMessagesOf } from '../kafka/topic-messages';
import type { Logger } from '../logger';
import { PeriodicTask } from './periodic-task';
import { withinDeadline } from '../deadline';
import { transient } from '../errors';
import { HeldRows, unsendableReason } from './unsendable-rows';
import { TOPIC_NAMESPACES } from '../topics';

/** An event as the outbox holds it: the row's columns (the id is the database's). */
export interface OutboxMessage {
  topic: string;
  message_key: string;
  message_value: Buffer;
  event_id: string;
  record_name: string;
}

/** A row of `outbox_chunks`: one transaction's events, as parallel arrays in send order. */
interface OutboxChunkRow {
  id: string;
  topics: string[];
  message_keys: string[];
  event_ids: string[];
  record_names: string[];
  message_values: Buffer;
  value_ends: number[];
}

/** How long the relay sets aside a row it cannot send (its topic gone, say) before it tries the row again. */
const UNSENDABLE_HOLD_MS = 10 * 60_000;

export interface OutboxPublisherOptions {
  /** OUTBOX_SEND_TIMEOUT_MS */
  sendTimeoutMs?: number;
  /** KAFKA_TOPIC_PREFIX: the relay sweeps only rows whose topics carry it. */
  topicPrefix?: string;
  /** Where the relay says it set a row aside. */
  log?: Logger;
  /**
   * The cluster's topics, asked once per sweep that finds rows: a row naming a topic not among
   * them is set aside at once. Without it such a row is found by its failed send, which waits
   * out the producer's metadata retries (about a minute) first.
   */
  existingTopics?: () => Promise<ReadonlySet<string>>;
}

/**
 * Writes a transaction's outgoing events as one outbox row (six parameters, whatever their
 * number) and returns its id: the values go as one `bytea` cut at `value_ends`, not a bytea[]
 * literal, which Postgres spends more to parse than the rows it replaces. `{ commit: true }`:
 * the transaction's last statement, sent with its COMMIT (preparedRows).
 */
export async function writeOutbox(db: Db | Trx, messages: readonly OutboxMessage[], options: { commit?: boolean } = {}): Promise<string[]> {
  let end = 0;
  const valueEnds = messages.map((m) => (end += m.message_value.length));
  const rows = await preparedRows<{ id: string }>(db, 'outbox_write',
    'INSERT INTO outbox_chunks (topics, message_keys, event_ids, record_names, message_values, value_ends) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
    [messages.map((m) => m.topic), messages.map((m) => m.message_key), messages.map((m) => m.event_id), messages.map((m) => m.record_name), Buffer.concat(messages.map((m) => m.message_value)), valueEnds],
    options,
  );
  return rows.map((r) => String(r.id));
}

/** An event's bytes on the wire, about: key, value, its two headers and a record's overhead. */
const bytesOf = (m: OutboxMessage) => m.message_value.length + m.message_key.length + m.event_id.length + m.record_name.length + 100;

function eventsOf(chunk: OutboxChunkRow): OutboxMessage[] {
  return chunk.topics.map((topic, i) => ({
    topic,
    message_key: chunk.message_keys[i]!,
    message_value: chunk.message_values.subarray(chunk.value_ends[i - 1] ?? 0, chunk.value_ends[i]),
    event_id: chunk.event_ids[i]!,
    record_name: chunk.record_names[i]!,
  }));
}

/** What a transaction committed to the outbox: the rows' ids and their events, to send after the commit. */
export interface CommittedEvents {
  ids: string[];
  messages: OutboxMessage[];
}

/**
 * Outbox rows a runner of this process has committed and will send itself, once the sends before
 * them are done. Every relay of the process (one per service) leaves them alone, whatever their
 * age: under a backlog a row can wait past the relay's grace period for its turn, and a relay that
 * sent it too made each consumer of its events meet them twice (15 inbox conflicts, each a chunk
 * rolled back and run again, in a 50,000-order run at max rate). Another process's relay may still
 * send such a row after the grace period; consumers de-duplicate by eventId.
 */
class RowsSendingInProcess {
  private readonly rows = new Set<string>();

  /** Claims the rows for their runner's own send; the returned release (once is enough) gives them back to the relays. */
  claim(ids: readonly string[]): () => void {
    for (const id of ids) this.rows.add(id);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const id of ids) this.rows.delete(id);
    };
  }

  ids(): string[] {
    return [...this.rows];
  }
}

export const rowsSendingInProcess = new RowsSendingInProcess();

/** Port: sends committed outbox rows. The Kafka one is the only production implementation. */
export interface OutboxPublisher {
  /** Sends events the caller has just committed, then deletes their rows. */
  publish(committed: CommittedEvents): Promise<number>;
  /** Sends what is left in the outbox and at least `minAgeMs` old, oldest first, up to `limit` rows (transactions); returns how many events were sent. */
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
  /**
   * `transact` opens the relay's transactions (the runner's, with its service role). A send not
   * acknowledged within `sendTimeoutMs` (OUTBOX_SEND_TIMEOUT_MS) fails: the runner's rows are left
   * to the relay, and a sweep's transaction rolls back, unlocking its rows for the next sweep. A
   * send that never settles would otherwise hold the runner's next chunk or the relay, with its
   * row locks, for good. The late send may still land: consumers de-duplicate by eventId.
   * The relay sweeps only rows whose topics carry `topicPrefix` (KAFKA_TOPIC_PREFIX) and then a topic namespace: another
   * fleet's rows in the same database (a second environment, a test run) are that fleet's to send,
   * to topics this one may not even see. A row that cannot be sent at all (its topic deleted, say)
   * is set aside for a while, logged as an error, and left in the outbox, so the rows behind it go
   * on: the relay, and the start-up drain, would otherwise fail on it again and again.
   */
  constructor(private readonly db: Db, private readonly transact: Transact, private readonly producer: MessageSender, private readonly options: OutboxPublisherOptions = {}) {}

  private readonly held = new HeldRows(UNSENDABLE_HOLD_MS);

  async publish({ ids, messages }: CommittedEvents): Promise<number> {
    if (messages.length === 0) return 0;
    await this.sendAll(messages);
    // the connecting user, not the service role: this is the runner's housekeeping of its own committed rows
    await preparedRows(this.db, 'outbox_sent', 'DELETE FROM outbox_chunks WHERE id = ANY(?::bigint[])', [ids]);
    return messages.length;
  }

  sweep(limit: number, minAgeMs: number): Promise<number> {
    return this.transact(async (trx) => {
      for (;;) {
        let query: Knex.QueryBuilder = trx('outbox_chunks').select('*').orderBy('id').limit(limit).forUpdate().skipLocked();
        if (minAgeMs > 0) query = query.whereRaw("created_at < now() - make_interval(secs => ?)", [minAgeMs / 1000]);
        // one transaction's events all go to one fleet's topics, so the first names the row's fleet: its prefix, then one of
        // the topics' namespaces (oms., warehouse.). Not the prefix alone: an empty one (production's default), or `stg` beside
        // `stg2`, would take another fleet's rows too.
        const prefix = this.options.topicPrefix;
        if (prefix !== undefined) query = query.whereRaw('starts_with(topics[1], ?) AND split_part(substr(topics[1], ?), \'.\', 1) = ANY(?::text[])', [prefix, prefix.length + 1, [...TOPIC_NAMESPACES]]);
        const skipped = [...this.held.ids(), ...rowsSendingInProcess.ids()];
        if (skipped.length > 0) query = query.whereNotIn('id', skipped);
        const chunks = (await query) as OutboxChunkRow[];
        if (chunks.length === 0) return 0;
        const sent = await this.sendRows(await this.withoutMissingTopics(chunks));
        if (sent.length === 0) continue; // every row taken was set aside: the rows behind them are next
        await trx('outbox_chunks').whereIn('id', sent.map((c) => c.id)).delete();
        return sent.reduce((n, c) => n + c.topics.length, 0);
      }
    });
  }

  /** The rows whose topics all exist (existingTopics); the others are set aside. Every row without the option. */
  private async withoutMissingTopics(chunks: OutboxChunkRow[]): Promise<OutboxChunkRow[]> {
    if (!this.options.existingTopics) return chunks;
    const existing = await this.options.existingTopics();
    return chunks.filter((chunk) => {
      const missing = [...new Set(chunk.topics)].filter((t) => !existing.has(t));
      if (missing.length > 0) this.setAside(chunk, 'UNKNOWN_TOPIC_OR_PARTITION', { missingTopics: missing });
      return missing.length === 0;
    });
  }

  private setAside(chunk: OutboxChunkRow, reason: string, details: Record<string, unknown>): void {
    this.held.hold(String(chunk.id));
    this.options.log?.error({ ...details, outboxRow: String(chunk.id), topics: [...new Set(chunk.topics)], reason },
      `an outbox row cannot be sent (${reason}): it stays in outbox_chunks and is tried again in ${UNSENDABLE_HOLD_MS / 60_000} minutes; the rows behind it go on`);
  }

  /** Sends the rows' events; if that fails for a reason no retry cures, finds the rows at fault one by one, sets them aside and sends the rest. Returns the rows sent. */
  private async sendRows(chunks: OutboxChunkRow[]): Promise<OutboxChunkRow[]> {
    try {
      await this.sendAll(chunks.flatMap(eventsOf));
      return chunks;
    } catch (err) {
      if (!unsendableReason(err)) throw err; // the broker, not a row: the sweep rolls back and the next one tries again
    }
    const sent: OutboxChunkRow[] = [];
    for (const chunk of chunks) {
      try {
        await this.sendAll(eventsOf(chunk));
        sent.push(chunk);
      } catch (err) {
        const reason = unsendableReason(err);
        if (!reason) throw err;
        this.setAside(chunk, reason, { err });
      }
    }
    return sent;
  }

  /** In order, in sends the broker cannot refuse for their size (a chunk of RUNNER_MAX_BATCH messages' events is usually one). */
  private async sendAll(events: readonly OutboxMessage[]): Promise<void> {
    for (const slice of sendSlices(events, bytesOf)) await this.send(slice);
  }

  private async send(messages: readonly OutboxMessage[]): Promise<void> {
    const sending = this.producer.sendBatch({
      acks: -1,
      topicMessages: topicMessagesOf(messages, (m) => m.topic, (m) => ({
        key: m.message_key,
        value: m.message_value,
        headers: { 'oms-event-id': m.event_id, 'oms-record': m.record_name },
      })),
    });
    const timeoutMs = this.options.sendTimeoutMs ?? 60_000;
    await withinDeadline(sending, timeoutMs, () => transient('broker_unavailable', `the broker did not acknowledge ${messages.length} outbox event(s) within ${timeoutMs} ms`));
  }
}

/** Outbox rows (transactions, each up to RUNNER_MAX_BATCH messages' events) one relay transaction takes. */
const RELAY_SWEEP_ROWS = 20;

/** Sweeps the outbox on an interval: whatever a crash or a failed send left behind. */
export class OutboxRelay {
  private readonly sweeps: PeriodicTask;

  constructor(private readonly publisher: OutboxPublisher, private readonly log: Logger, intervalMs: number, graceMs: number) {
    this.sweeps = new PeriodicTask(() => this.drain(graceMs), intervalMs, (err) => this.log.warn({ err }, 'outbox relay sweep failed; will try again'));
  }

  /** Drains the outbox completely, whatever the rows' age (at start-up, before consuming), or until `stopped` says so. */
  async drain(minAgeMs = 0, stopped: () => boolean = () => false): Promise<number> {
    let total = 0;
    for (;;) {
      const sent = await this.publisher.sweep(RELAY_SWEEP_ROWS, minAgeMs);
      total += sent;
      if (sent === 0 || stopped()) break;
    }
    if (total > 0) this.log.info({ sent: total }, 'outbox relay sent events left unsent');
    return total;
  }

  start(): void {
    this.sweeps.start();
  }

  stop(): Promise<void> {
    return this.sweeps.stop();
  }
}
