import { randomUUID } from 'crypto';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Config } from '../config';
import { AvroCodec, RecordName } from '../contracts/codec';
import type { RecordTypes } from '../contracts/types.generated';
import { type Db, type Trx, type Transact, transactAs } from '../db/knex';
import { preparedRows, queuePreparedWrite } from '../db/prepared-statement';
import { serviceRole } from '../db/migrations/004_service_roles';
import { classifyError, OmsError, permanent, transient } from '../errors';
import { lazyChild, type Logger } from '../logger';
import { transitionOrder } from '../order-state';
import { shortName, TOPICS, topicName, topicOfRecord } from '../topics';
import { onClientError } from '../kafka/client';
import { canonicalUuid } from '../uuid';
import { ClusterTopics } from '../kafka/cluster-topics';
import { createRenewingProducer, type RenewingProducer } from '../kafka/renewing-producer';
import { CommandPublisher } from '../command-publisher';
import { ChunkCoalescer } from './chunk-coalescer';
import { ChunkReruns } from './chunk-reruns';
import { InboxPruner } from './inbox-pruner';
import { PeriodicTask } from './periodic-task';
import { OffsetCommitter } from './offset-committer';
import { ChunkOrderReads } from '../chunk-order-reads';
import { type BatchWatch, type StallKind, StallWatchdog, watchConsumer } from './stall-watchdog';
import { type DeadLetter, sendToDlq } from './dlq';
import { admission, type ChunkFlush, type Handler, type HandlerContext, type Outgoing, type ServiceDefinition } from './handler';
import { CommittedEvents, KafkaOutboxPublisher, OutboxMessage, OutboxPublisher, OutboxRelay, rowsSendingInProcess, writeOutbox } from './outbox';

type RunnerConfig = Pick<
  Config,
  'KAFKA_TOPIC_PREFIX' | 'KAFKA_GROUP_PREFIX' | 'RUNNER_SESSION_TIMEOUT_MS' | 'RUNNER_STALL_TIMEOUT_MS' | 'RUNNER_PARTITIONS_CONCURRENCY' | 'RUNNER_MAX_BATCH' | 'RUNNER_RETRY_INITIAL_MS' | 'RUNNER_RETRY_MAX_MS' | 'RUNNER_MAX_UNCLASSIFIED_ATTEMPTS' | 'RUNNER_COMMIT_INTERVAL_MS' | 'RUNNER_FETCH_MAX_BYTES' | 'RUNNER_FETCH_MAX_WAIT_MS' | 'OUTBOX_RELAY_INTERVAL_MS' | 'OUTBOX_SEND_TIMEOUT_MS' | 'OUTBOX_RELAY_GRACE_MS' | 'INBOX_RETENTION_HOURS' | 'INBOX_PRUNE_INTERVAL_MS' | 'DATABASE_SERVICE_ROLES'
>;

/** How a service instance's consumer fetches (RUNNER_FETCH_MAX_BYTES, each partition at most 1 MiB; RUNNER_FETCH_MAX_WAIT_MS). */
export function fetchSettings(config: Pick<Config, 'RUNNER_FETCH_MAX_BYTES' | 'RUNNER_FETCH_MAX_WAIT_MS'>) {
  return {
    maxBytes: config.RUNNER_FETCH_MAX_BYTES,
    maxBytesPerPartition: Math.min(config.RUNNER_FETCH_MAX_BYTES, 1024 * 1024),
    maxWaitTimeInMs: config.RUNNER_FETCH_MAX_WAIT_MS,
  };
}

/** A consumer group member's session and heartbeat (three heartbeats per session, at most one each 3 s). */
export function sessionSettings(sessionTimeoutMs: number) {
  return { sessionTimeout: sessionTimeoutMs, heartbeatInterval: Math.min(3000, Math.floor(sessionTimeoutMs / 3)) };
}

export interface RunnerDeps {
  config: RunnerConfig;
  db: Db;
  kafka: Kafka;
  codec: AvroCodec;
  log: Logger;
  /** Replaces the Kafka outbox publisher (tests use it to stop between commit and send). */
  publisher?: OutboxPublisher;
  /**
   * Called when the Kafka consumer stops for good (kafkajs gives up and will not restart it) or
   * hangs (no sign of life for RUNNER_STALL_TIMEOUT_MS): the service would otherwise sit in the
   * group consuming nothing. The fleet exits, so its supervisor restarts it; every offset not yet
   * committed is redelivered and de-duplicated.
   */
  onConsumerGaveUp?: (err: Error) => void;
}

interface Work {
  topic: string;
  partition: number;
  message: KafkaMessage;
  handler: Handler<RecordName>;
  recordName: string;
  value: Record<string, unknown>;
  envelope: Envelope;
  log: Logger;
  /** The stall watchdog's watch of the batch the message came in: every attempt at its chunk is progress for it. */
  watch: BatchWatch;
}

/** The message whose handler threw, when a chunk's transaction fails inside one. */
interface FailedMessage {
  work?: Work;
}

interface Envelope {
  eventId: string;
  orderId: string | null;
  correlationId: string;
  orderVersion?: number;
}

// A chunk's inbox rows: one prepared two-parameter statement whatever the chunk's size (not a 2×N-parameter insert built per chunk)
const INSERT_INBOX = 'INSERT INTO inbox (consumer, event_id) SELECT ?, unnest(?::text[])';

/**
 * The shared consumer runner: decode by schema id → one transaction (inbox, handler, guarded
 * transition, outbox) → offsets resolve only after commit → outbox sent → relay for leftovers.
 * Retriable errors retry with capped back-off and never skip; permanent ones go to `<topic>.dlq`.
 */
export class ConsumerRunner {
  private readonly consumer: Consumer;
  private readonly producer: RenewingProducer;
  private readonly publisher: OutboxPublisher;
  private readonly relay: OutboxRelay;
  private readonly inboxPruner: InboxPruner;
  private readonly housekeeping: PeriodicTask[];
  private readonly log: Logger;
  private readonly topics: Map<string, readonly string[]>;
  /** Every transaction of this service: with DATABASE_SERVICE_ROLES, as oms_<service> (SET LOCAL ROLE first). */
  private readonly transact: Transact;
  private stopping = false;
  /** This service's partitions' chunks of one event-loop turn, joined into one transaction. */
  private readonly chunks: ChunkCoalescer<Work>;
  private readonly offsets: OffsetCommitter;
  private readonly watchdog: StallWatchdog;
  private stopWatchingClientErrors: () => void = () => undefined;
  /** The start-up in progress or done (see stop). */
  private starting: Promise<void> = Promise.resolve();
  /** The outbox send of the last committed chunk (see publish). */
  private sending: Promise<void> = Promise.resolve();
  /**
   * A chunk found events handled before: the next chunks claim the inbox first, until one finds
   * none. Redeliveries come in runs (after a crash or a rebalance, or from a producer that
   * repeats itself), and each would otherwise cost a chunk a rolled-back transaction.
   */
  private redelivering = false;
  /** The batches kafkajs has handed in and not yet got back: stop lets them end before it commits and leaves. */
  private readonly batchesInHand = new Set<Promise<void>>();
  /** A send failed and its rows wait in the outbox: the next chunk's events go out behind them (sendAfterLeftovers). */
  private leftBehind = false;
  /** What the outbox relay checks a row's topics against before it sends. */
  private readonly clusterTopics: ClusterTopics;

  constructor(private readonly service: ServiceDefinition, private readonly deps: RunnerDeps) {
    const { config, kafka } = deps;
    this.log = deps.log.child({ service: service.name });
    this.consumer = kafka.consumer({
      groupId: `${config.KAFKA_GROUP_PREFIX}-${service.name}`,
      ...sessionSettings(config.RUNNER_SESSION_TIMEOUT_MS),
      retry: { retries: 10 },
      ...fetchSettings(config),
    });
    this.producer = createRenewingProducer(kafka, this.log);
    this.clusterTopics = new ClusterTopics(kafka);
    this.transact = transactAs(deps.db, config.DATABASE_SERVICE_ROLES ? serviceRole(service.name) : null);
    const relayLog = this.log.child({ component: 'outbox-relay' });
    this.publisher = deps.publisher ?? new KafkaOutboxPublisher(deps.db, this.transact, this.producer, {
      sendTimeoutMs: config.OUTBOX_SEND_TIMEOUT_MS, topicPrefix: config.KAFKA_TOPIC_PREFIX, log: relayLog, existingTopics: () => this.clusterTopics.list(),
    });
    this.relay = new OutboxRelay(this.publisher, relayLog, config.OUTBOX_RELAY_INTERVAL_MS, config.OUTBOX_RELAY_GRACE_MS);
    this.inboxPruner = new InboxPruner(this.transact, service.name, config.INBOX_RETENTION_HOURS, config.INBOX_PRUNE_INTERVAL_MS, this.log.child({ component: 'inbox-pruner' }));
    const commands = new CommandPublisher(this.producer, deps.codec, config.KAFKA_TOPIC_PREFIX, service.name);
    this.housekeeping = (service.housekeeping ?? []).map((h) => {
      const log = this.log.child({ component: h.name });
      const ctx = { transact: this.transact, publishCommands: commands.publishAll.bind(commands), log };
      return new PeriodicTask(() => h.run(ctx), h.intervalMs, (err) => log.warn({ err }, `${h.name} failed; will try again`));
    });
    this.chunks = new ChunkCoalescer<Work>(config.RUNNER_MAX_BATCH, (work, heartbeat) =>
      work.length === 1 ? this.processOne(work[0]!, heartbeat, true) : this.processChunk(work, heartbeat),
    );
    this.offsets = new OffsetCommitter(this.consumer, config.RUNNER_COMMIT_INTERVAL_MS, this.log.child({ component: 'offset-committer' }));
    this.topics = new Map(service.consumes.map((k) => [topicName(k, config.KAFKA_TOPIC_PREFIX), TOPICS[k].records]));
    this.watchdog = new StallWatchdog(config.RUNNER_STALL_TIMEOUT_MS, (quietMs, what) => this.stalled(quietMs, what));
  }

  get name(): string {
    return this.service.name;
  }

  /** Connects, sends what the outbox holds, joins the group. A stop asked for meanwhile ends it at its next step, without error. */
  start(): Promise<void> {
    this.starting = this.startUp();
    return this.starting;
  }

  private async startUp(): Promise<void> {
    await this.producer.connect();
    if (this.stopping) return;
    await this.relay.drain(0, () => this.stopping);
    if (this.stopping) return;
    this.relay.start();
    this.inboxPruner.start();
    for (const task of this.housekeeping) task.start();
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || this.stopping) return this.watchdog.alive();
      this.watchdog.stop();
      this.log.fatal({ err: payload.error }, 'the Kafka consumer gave up and will not restart');
      this.deps.onConsumerGaveUp?.(payload.error);
    });
    watchConsumer(this.consumer, this.watchdog);
    // while the client logs errors (the broker unreachable, a coordinator loading) kafkajs is retrying in its back-off, not hung
    this.stopWatchingClientErrors = onClientError(this.deps.kafka, () => this.watchdog.waiting());
    this.watchdog.start();
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => this.offsets.keepOnly(payload.memberAssignment));
    await this.consumer.connect();
    if (this.stopping) return;
    await this.consumer.subscribe({ topics: [...this.topics.keys()], fromBeginning: true });
    if (this.stopping) return;
    this.offsets.start();
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.deps.config.RUNNER_PARTITIONS_CONCURRENCY,
      eachBatch: (payload) => this.inHand(this.onWatchedBatch(payload)),
    });
    this.log.info({ topics: [...this.topics.keys()] }, 'consuming');
  }

  private inHand(batch: Promise<void>): Promise<void> {
    const tracked = batch.finally(() => this.batchesInHand.delete(tracked));
    this.batchesInHand.add(tracked);
    return tracked;
  }

  /** No sign of life from the consumer, or no progress of a batch in hand, for RUNNER_STALL_TIMEOUT_MS: handled as kafkajs giving up. */
  private stalled(quietMs: number, what: StallKind): void {
    if (this.stopping) return;
    if (what === 'batch') {
      this.log.fatal({ quietMs }, 'a batch in hand has made no progress (no chunk, retry or client error) and is taken as hung');
      this.deps.onConsumerGaveUp?.(new Error(`a batch of ${this.service.name} made no progress for ${quietMs} ms`));
      return;
    }
    this.log.fatal({ quietMs }, 'the Kafka consumer has shown no sign of life (no fetch, client error, restart, chunk or retry) and is taken as hung');
    this.deps.onConsumerGaveUp?.(new Error(`the Kafka consumer of ${this.service.name} showed no sign of life for ${quietMs} ms`));
  }

  /** onBatch, watched on its own by the stall watchdog until it returns. */
  private async onWatchedBatch(payload: EachBatchPayload): Promise<void> {
    const watch = this.watchdog.track();
    try {
      await this.onBatch(payload, watch);
    } finally {
      watch.done();
    }
  }

  /** Finishes the messages in hand, commits their offsets, leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.watchdog.stop();
    this.stopWatchingClientErrors();
    // a start-up still in progress ends at its next step; what it had done is undone below
    await this.starting.catch(() => undefined);
    // the chunks in hand end first (onBatch takes no new one now), so their offsets go in the commit below, while kafkajs still commits
    await Promise.allSettled([...this.batchesInHand]);
    await this.offsets.stop();
    await this.consumer.disconnect();
    await this.sending;
    await this.relay.stop();
    await this.clusterTopics.close();
    await this.inboxPruner.stop();
    await Promise.all(this.housekeeping.map((task) => task.stop()));
    await this.producer.disconnect();
    this.log.info('stopped');
  }

  /**
   * A fetched batch of one partition, in chunks of RUNNER_MAX_BATCH. The chunks that this
   * service's partitions hand in during one event-loop turn are joined (ChunkCoalescer, up to
   * RUNNER_MAX_BATCH messages) into one transaction (one multi-row inbox insert, the handlers in
   * order, one multi-row outbox insert) and one send. Offsets resolve only after the commit. If a
   * chunk cannot commit for a non-retriable reason, its messages run one by one, so only the bad
   * one is dead-lettered.
   */
  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload, watch: BatchWatch): Promise<void> {
    const { topic, partition } = batch;
    const size = this.deps.config.RUNNER_MAX_BATCH;
    for (let i = 0; i < batch.messages.length; i += size) {
      if (!isRunning() || isStale() || this.stopping) return;
      this.watchdog.alive();
      watch.progress();
      const chunk = batch.messages.slice(i, i + size);
      const work: Work[] = [];
      const dead: DeadLetter[] = [];
      for (const message of chunk) {
        const known = this.deps.codec.knownRecordName(message.value);
        if (known !== undefined && this.isOthers(topic, known)) continue; // before decode's promises, logger and retry are made for it
        const w = await this.decode(topic, partition, message, heartbeat, dead, watch);
        if (w) work.push(w);
      }
      await this.deadLetter(dead, heartbeat);
      if (work.length > 0) await this.chunks.submit(work, heartbeat);
      for (const m of chunk) resolveOffset(m.offset);
      this.offsets.done(topic, partition, chunk[chunk.length - 1]!.offset);
      await heartbeat();
    }
  }

  /** Another service's record on a shared topic (about half of what a service fetches): dropped, its body never parsed. */
  private isOthers(topic: string, recordName: string): boolean {
    return this.service.handlers[recordName as RecordName] === undefined && this.topics.get(topic)!.includes(recordName);
  }

  /** Decodes by schema id; returns null for messages meant for other services, or given up on (added to `dead`). */
  private async decode(topic: string, partition: number, message: KafkaMessage, heartbeat: () => Promise<void>, dead: DeadLetter[], watch: BatchWatch): Promise<Work | null> {
    const position = { topic, partition, offset: message.offset };
    const log = lazyChild(this.log, position);
    try {
      const header = await this.withRetry(log, heartbeat, () => this.deps.codec.readHeader(message.value));
      const { recordName } = header;
      if (this.isOthers(topic, recordName)) return null;
      if (!this.topics.get(topic)!.includes(recordName)) {
        throw permanent('unexpected_record', `${recordName} is not a record of ${topic}`);
      }
      const handler = this.service.handlers[recordName as RecordName] as Handler<RecordName>;
      const value = header.body();
      // one spelling of an order's id from here on, whatever case its channel sent: the keys of its events and the ids read back from Postgres agree
      if (typeof value.orderId === 'string') value.orderId = canonicalUuid(value.orderId);
      const admitted = admission(handler, value as never);
      if (admitted === 'skip') return null;
      if (admitted !== 'handle') throw permanent('invalid_payload', admitted.unfit);
      const envelope = value as unknown as Envelope;
      // spelled out, not `{ ...position, … }`: properties added to a spread copy cost about 3 µs here per message (shared/extend.ts)
      const eventLog = lazyChild(this.log, { topic, partition, offset: message.offset, orderId: envelope.orderId, correlationId: envelope.correlationId, record: shortName(recordName) });
      return { topic, partition, message, handler, value, envelope, log: eventLog, recordName, watch };
    } catch (e) {
      dead.push(this.giveUp(topic, partition, message, e, log));
      return null;
    }
  }

  /**
   * One transaction for the chunk. A message whose handler rejects it for good (a classified,
   * permanent error) is dead-lettered and the chunk runs again without it (ChunkReruns: whole while
   * a few rejections cost little, then in the parts before and after each one, so a flood of them
   * costs linear work). Any other failure (unclassified, or not tied to one message) runs what is
   * left one by one.
   */
  private async processChunk(work: Work[], heartbeat: () => Promise<void>): Promise<void> {
    const log = work[0]!.log;
    const committed = await this.tryWithInboxLast(work, log);
    if (committed) return this.publish(committed, log);
    const reruns = new ChunkReruns<Work>(work.length);
    const runs: Work[][] = [work];
    for (let run = runs.shift(); run; run = runs.shift()) {
      // each run of the chunk moves its batches on: a flood of rejected messages reruns it many times, which can outlast the stall timeout
      progressOf(run);
      const failed: FailedMessage = {};
      let committed: CommittedEvents;
      try {
        committed = await this.withRetry(log, heartbeat, () => this.transact((trx) => this.handleInTransaction(trx, run!, failed)), false);
      } catch (e) {
        const err = classifyError(e);
        if (err.code === 'shutting_down') throw err;
        const culprit = failed.work;
        if (culprit && !err.retriable && err.code !== 'handler_failed') {
          await this.deadLetter([this.giveUp(culprit.topic, culprit.partition, culprit.message, err, culprit.log)], heartbeat);
          runs.unshift(...reruns.without(run, culprit));
          continue;
        }
        const left = [run, ...runs].flat();
        log.warn({ code: err.code, err: err.message, messages: left.length }, 'batch failed; running its messages one by one');
        for (const w of left) {
          w.watch.progress();
          await this.processOne(w, heartbeat);
          // a long chunk run one by one must not outlast the session timeout: the group would drop this member and redeliver the chunk
          await heartbeat();
        }
        return;
      }
      await this.publish(committed, log);
    }
  }

  /**
   * The usual chunk, none of whose events this service has handled before: its inbox rows go with
   * its last statement instead of in a round trip of their own before the handlers. A
   * redelivered event fails that insert on the inbox's key and the transaction rolls back, as
   * does any other failure; undefined then, and the caller reruns the chunk with the inbox first,
   * which skips the handled events and finds a culprit. A handler may thus run for an event
   * already handled, in a transaction that never commits: handlers reach the outside world only
   * through the database, the outbox, and the payment gateway with an idempotency key. Not tried
   * while redeliveries run (`redelivering`).
   */
  private async tryWithInboxLast(work: Work[], log: Logger): Promise<CommittedEvents | undefined> {
    if (this.redelivering) return undefined;
    try {
      return await this.transact((trx) => this.handleInTransaction(trx, work, {}, true));
    } catch (e) {
      const cause = e as { code?: string; table?: string };
      if (cause.code === '23505' && cause.table === 'inbox') {
        this.redelivering = true;
        log.info({ messages: work.length }, 'chunk holds events already handled; rerunning it, and the chunks after it until one has none, with the inbox first');
      } else log.debug({ err: classifyError(e).message }, 'chunk failed; rerunning it with the inbox first');
      return undefined;
    }
  }

  /**
   * Sends a committed chunk's events after the previous chunk's, in commit order, without waiting
   * for it: the next fetch and transaction overlap the send. Waits for the previous send instead,
   * so at most one chunk's events are in flight. A send that fails leaves its rows to the relay.
   */
  private async publish(committed: CommittedEvents, log: Logger): Promise<void> {
    if (committed.messages.length === 0) return;
    const previous = this.sending;
    const release = rowsSendingInProcess.claim(committed.ids);
    this.sending = previous.then(() => this.sendAfterLeftovers(committed, release)).finally(release).then(
      () => undefined,
      (err) => {
        this.leftBehind = true;
        log.warn({ err }, 'outbox send failed; its rows wait in the outbox, and the next chunk sends them first');
      },
    );
    await previous;
  }

  /**
   * After a failed send the outbox holds rows older than this chunk's: the relay sends them all in
   * commit order, this chunk's last, so an order's later event never overtakes its earlier one
   * (an OrderCancelled its OrderPlaced). Until then the rows would wait for the relay's grace.
   */
  private async sendAfterLeftovers(committed: CommittedEvents, release: () => void): Promise<void> {
    if (!this.leftBehind) {
      await this.publisher.publish(committed);
      return;
    }
    release(); // the drain sends them, after the rows left behind
    await this.relay.drain(0, () => this.stopping);
    this.leftBehind = false;
  }

  /** One message in its own transaction; `inboxLastFirst`: a chunk of one, tried as tryWithInboxLast first (not a rerun of a failed chunk). */
  private async processOne(w: Work, heartbeat: () => Promise<void>, inboxLastFirst = false): Promise<void> {
    try {
      const committed = (inboxLastFirst ? await this.tryWithInboxLast([w], w.log) : undefined)
        ?? (await this.withRetry(w.log, heartbeat, () => this.transact((trx) => this.handleInTransaction(trx, [w]))));
      await this.publish(committed, w.log);
    } catch (e) {
      await this.deadLetter([this.giveUp(w.topic, w.partition, w.message, e, w.log)], heartbeat);
    }
  }

  /** The dead letter for a message that failed for good; a stop in progress is not the message's fault. */
  private giveUp(topic: string, partition: number, message: KafkaMessage, e: unknown, log: Logger): DeadLetter {
    const error = classifyError(e);
    if (error.code === 'shutting_down') throw error; // offset not resolved: redelivered after restart
    log.error({ code: error.code, err: error.message }, 'message sent to the dead-letter topic');
    return { topic, partition, message, error };
  }

  /** Writes the letters to their dead-letter topics in one send, retrying until the broker takes them. */
  private async deadLetter(letters: DeadLetter[], heartbeat: () => Promise<void>): Promise<void> {
    if (letters.length === 0) return;
    await this.withRetry(this.log, heartbeat, () =>
      sendToDlq(this.producer, this.service.name, letters).catch((sendErr) => {
        throw transient('broker_unavailable', 'could not write to the DLQ', sendErr);
      }),
    );
    await heartbeat();
  }

  /**
   * Inbox rows for all, handlers for the new ones in order, then every outgoing event in one outbox
   * row. `inboxLast`: every event is taken as new and the inbox rows are written with the last
   * statement, failing the transaction if one was not (tryWithInboxLast).
   */
  private async handleInTransaction(trx: Trx, work: Work[], failed: FailedMessage = {}, inboxLast = false): Promise<CommittedEvents> {
    failed.work = undefined;
    const eventIds = [...new Set(work.map((w) => w.envelope.eventId))];
    const fresh = inboxLast ? new Set(eventIds) : await this.recordInbox(trx, eventIds);
    const chunkOrderIds = work.filter((w) => fresh.has(w.envelope.eventId) && w.envelope.orderId).map((w) => w.envelope.orderId!);
    const outgoing: OutboxMessage[] = [];
    const scoped = new Map<string, ChunkFlush>();
    for (const w of work) {
      if (!fresh.delete(w.envelope.eventId)) {
        w.log.debug('duplicate event skipped');
        continue;
      }
      failed.work = w;
      await w.handler(this.context(trx, w, outgoing, scoped, chunkOrderIds), w.value as never);
      failed.work = undefined;
    }
    for (const accumulator of scoped.values()) await accumulator.flush();
    // without ON CONFLICT: an event handled before fails it, and the transaction with it
    if (inboxLast) await queuePreparedWrite(trx, 'inbox_record_new', INSERT_INBOX, [this.service.name, eventIds]);
    if (outgoing.length === 0) return { ids: [], messages: [] };
    // the last statement: it carries the COMMIT, one round trip less
    return { ids: await writeOutbox(trx, outgoing, { commit: true }), messages: outgoing };
  }

  /** The chunk's inbox rows, first: the events among them not handled before (and whether the next chunks should claim first too). */
  private async recordInbox(trx: Trx, eventIds: string[]): Promise<Set<string>> {
    const inserted = await preparedRows<{ event_id: string }>(trx, 'inbox_record',
      `${INSERT_INBOX} ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id`,
      [this.service.name, eventIds],
    );
    this.redelivering = inserted.length < eventIds.length;
    return new Set(inserted.map((r) => r.event_id));
  }

  private context(trx: Trx, w: Work, outgoing: OutboxMessage[], scoped: Map<string, ChunkFlush>, chunkOrderIds: readonly string[]): HandlerContext {
    const { envelope } = w;
    const cause = { eventId: envelope.eventId, type: shortName(w.recordName) };
    const ctx: HandlerContext = {
      trx,
      log: w.log,
      source: { topic: w.topic, partition: w.partition, offset: w.message.offset, recordName: w.recordName },
      cause,
      emit: async <N extends RecordName>(recordName: N, payload: Outgoing<N>) => {
        const topic = topicName(topicOfRecord(recordName), this.deps.config.KAFKA_TOPIC_PREFIX);
        const full = {
          eventId: randomUUID(),
          occurredAt: Date.now(),
          correlationId: envelope.correlationId,
          causationId: envelope.eventId,
          producer: this.service.name,
          ...payload,
          orderId: payload.orderId ?? envelope.orderId,
          orderVersion: payload.orderVersion ?? 0,
        } as unknown as RecordTypes[N];
        const bytes = await this.deps.codec.encode(topic, recordName, full);
        const key = (full as { orderId?: string | null }).orderId ?? (full as { sku?: string }).sku ?? '';
        outgoing.push({ topic, message_key: key, message_value: bytes, event_id: (full as { eventId: string }).eventId, record_name: recordName });
      },
      // the chunk's orders are locked in key order before any is written, whichever step writes first: two services' chunks never wait on each other in a cycle
      transition: async (orderId, to, extra) => {
        await ChunkOrderReads.of(ctx).holdLocks(orderId);
        return transitionOrder(trx, orderId, to, cause, extra);
      },
      chunkScoped: <T extends ChunkFlush>(key: string, create: () => T): T => {
        if (!scoped.has(key)) scoped.set(key, create());
        return scoped.get(key) as T;
      },
      chunkOrderIds,
    };
    return ctx;
  }

  /** Runs `fn` until it succeeds or fails permanently; heartbeats while it waits. */
  private async withRetry<T>(log: Logger, heartbeat: () => Promise<void>, fn: () => Promise<T>, retryUnclassified = true): Promise<T> {
    const { RUNNER_RETRY_INITIAL_MS: initial, RUNNER_RETRY_MAX_MS: max, RUNNER_MAX_UNCLASSIFIED_ATTEMPTS: maxUnclassified } = this.deps.config;
    for (let attempt = 1; ; attempt++) {
      // a retry waits on purpose, for whichever batches its chunk holds: all of them are marked; a first attempt is this batch's own progress
      if (attempt === 1) this.watchdog.alive();
      else this.watchdog.waiting();
      try {
        return await fn();
      } catch (e) {
        const err = classifyError(e);
        const unclassifiedRetry = retryUnclassified && err.code === 'handler_failed' && attempt < maxUnclassified;
        if (!err.retriable && !unclassifiedRetry) throw err;
        if (this.stopping) throw new OmsError('shutting_down', 'stopping before the message succeeded', true, { cause: err });
        const delay = Math.min(max, initial * 2 ** Math.min(attempt - 1, 20));
        // a missing table, grant or schema registration needs an operator, not patience: logged as an error
        const level = err.code === 'database_misconfigured' || err.code === 'registry_misconfigured' ? 'error' : 'warn';
        log[level]({ code: err.code, err: err.message, attempt, delayMs: delay }, 'retrying after a failure');
        await this.pause(delay, heartbeat);
      }
    }
  }

  private async pause(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until && !this.stopping) {
      await new Promise((r) => setTimeout(r, Math.min(1000, until - Date.now())));
      this.watchdog.waiting();
      await heartbeat().catch(() => undefined);
    }
  }
}

/** Progress for the batches a chunk's messages came in (a chunk may join several partitions' batches). */
function progressOf(work: readonly Work[]): void {
  for (const w of work) w.watch.progress();
}
