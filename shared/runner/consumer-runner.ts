import { randomUUID } from 'crypto';
import type { Consumer, EachMessagePayload, Kafka, Producer } from 'kafkajs';
import type { Config } from '../config';
import { AvroCodec, RecordName } from '../contracts/codec';
import type { RecordTypes } from '../contracts/types.generated';
import type { Db, Trx } from '../db/knex';
import { classifyError, OmsError, permanent, transient } from '../errors';
import type { Logger } from '../logger';
import { transitionOrder } from '../order-state';
import { shortName, TOPICS, topicName, topicOfRecord } from '../topics';
import { createIdempotentProducer } from '../kafka/client';
import { sendToDlq } from './dlq';
import type { Handler, HandlerContext, Outgoing, ServiceDefinition } from './handler';
import { KafkaOutboxPublisher, OutboxPublisher, OutboxRelay } from './outbox';

type RunnerConfig = Pick<
  Config,
  'KAFKA_TOPIC_PREFIX' | 'KAFKA_GROUP_PREFIX' | 'RUNNER_PARTITIONS_CONCURRENCY' | 'RUNNER_RETRY_INITIAL_MS' | 'RUNNER_RETRY_MAX_MS' | 'RUNNER_MAX_UNCLASSIFIED_ATTEMPTS' | 'OUTBOX_RELAY_INTERVAL_MS'
>;

export interface RunnerDeps {
  config: RunnerConfig;
  db: Db;
  kafka: Kafka;
  codec: AvroCodec;
  log: Logger;
  /** Replaces the Kafka outbox publisher (tests use it to stop between commit and send). */
  publisher?: OutboxPublisher;
}

interface Envelope {
  eventId: string;
  orderId: string | null;
  correlationId: string;
  orderVersion?: number;
}

/**
 * The shared consumer runner: decode by schema id → one transaction (inbox, handler, guarded
 * transition, outbox) → offsets resolve only after commit → outbox sent → relay for leftovers.
 * Retriable errors retry with capped back-off and never skip; permanent ones go to `<topic>.dlq`.
 */
export class ConsumerRunner {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly publisher: OutboxPublisher;
  private readonly relay: OutboxRelay;
  private readonly log: Logger;
  private readonly topics: Map<string, readonly string[]>;
  private stopping = false;

  constructor(private readonly service: ServiceDefinition, private readonly deps: RunnerDeps) {
    const { config, kafka } = deps;
    this.log = deps.log.child({ service: service.name });
    this.consumer = kafka.consumer({
      groupId: `${config.KAFKA_GROUP_PREFIX}-${service.name}`,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      retry: { retries: 10 },
    });
    this.producer = createIdempotentProducer(kafka);
    this.publisher = deps.publisher ?? new KafkaOutboxPublisher(deps.db, this.producer);
    this.relay = new OutboxRelay(this.publisher, this.log.child({ component: 'outbox-relay' }), config.OUTBOX_RELAY_INTERVAL_MS);
    this.topics = new Map(service.consumes.map((k) => [topicName(k, config.KAFKA_TOPIC_PREFIX), TOPICS[k].records]));
  }

  async start(): Promise<void> {
    await this.producer.connect();
    await this.relay.drain();
    this.relay.start();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.topics.keys()], fromBeginning: true });
    await this.consumer.run({
      autoCommit: true,
      autoCommitInterval: 1000,
      partitionsConsumedConcurrently: this.deps.config.RUNNER_PARTITIONS_CONCURRENCY,
      eachMessage: (payload) => this.onMessage(payload),
    });
    this.log.info({ topics: [...this.topics.keys()] }, 'consuming');
  }

  /** Finishes the message in hand, commits its offset, leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer.disconnect();
    await this.relay.stop();
    await this.producer.disconnect();
    this.log.info('stopped');
  }

  private async onMessage({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    const log = this.log.child({ topic, partition, offset: message.offset });
    try {
      const decoded = await this.withRetry(log, heartbeat, () => this.deps.codec.decode(message.value));
      if (!this.topics.get(topic)?.includes(decoded.recordName)) {
        throw permanent('unexpected_record', `${decoded.recordName} is not a record of ${topic}`);
      }
      const handler = this.service.handlers[decoded.recordName as RecordName] as Handler<RecordName> | undefined;
      if (!handler) return; // another service's record on a shared topic
      const envelope = decoded.value as unknown as Envelope;
      const eventLog = log.child({ orderId: envelope.orderId, correlationId: envelope.correlationId, record: shortName(decoded.recordName) });
      const outboxIds = await this.withRetry(eventLog, heartbeat, () =>
        this.deps.db.transaction((trx) => this.handleInTransaction(trx, handler, decoded.value, envelope, eventLog, { topic, partition, offset: message.offset, recordName: decoded.recordName })),
      );
      if (outboxIds === 'duplicate') {
        eventLog.debug('duplicate event skipped');
        return;
      }
      await this.publisher.publish(outboxIds).catch((err) => eventLog.warn({ err }, 'outbox send failed; the relay will send it'));
    } catch (e) {
      const err = classifyError(e);
      if (err.code === 'shutting_down') throw err; // offset not resolved: redelivered after restart
      log.error({ code: err.code, err: err.message }, 'message sent to the dead-letter topic');
      await this.withRetry(log, heartbeat, () =>
        sendToDlq(this.producer, { topic, partition, message, consumer: this.service.name }, err).catch((sendErr) => {
          throw transient('broker_unavailable', 'could not write to the DLQ', sendErr);
        }),
      );
    }
  }

  private async handleInTransaction(
    trx: Trx,
    handler: Handler<RecordName>,
    value: Record<string, unknown>,
    envelope: Envelope,
    log: Logger,
    source: HandlerContext['source'],
  ): Promise<string[] | 'duplicate'> {
    const inserted = await trx('inbox').insert({ consumer: this.service.name, event_id: envelope.eventId }).onConflict(['consumer', 'event_id']).ignore().returning('event_id');
    if (inserted.length === 0) return 'duplicate';
    const outboxIds: string[] = [];
    const cause = { eventId: envelope.eventId, type: shortName(source.recordName) };
    const ctx: HandlerContext = {
      trx,
      log,
      source,
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
        const [row] = await trx('outbox')
          .insert({ topic, message_key: key, message_value: bytes, event_id: (full as { eventId: string }).eventId, record_name: recordName })
          .returning('id');
        outboxIds.push(String((row as { id: string }).id));
      },
      transition: (orderId, to, extra) => transitionOrder(trx, orderId, to, cause, extra),
    };
    await handler(ctx, value as never);
    return outboxIds;
  }

  /** Runs `fn` until it succeeds or fails permanently; heartbeats while it waits. */
  private async withRetry<T>(log: Logger, heartbeat: () => Promise<void>, fn: () => Promise<T>): Promise<T> {
    const { RUNNER_RETRY_INITIAL_MS: initial, RUNNER_RETRY_MAX_MS: max, RUNNER_MAX_UNCLASSIFIED_ATTEMPTS: maxUnclassified } = this.deps.config;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        const err = classifyError(e);
        const unclassifiedRetry = err.code === 'handler_failed' && attempt < maxUnclassified;
        if (!err.retriable && !unclassifiedRetry) throw err;
        if (this.stopping) throw new OmsError('shutting_down', 'stopping before the message succeeded', true, { cause: err });
        const delay = Math.min(max, initial * 2 ** Math.min(attempt - 1, 20));
        log.warn({ code: err.code, err: err.message, attempt, delayMs: delay }, 'retrying after a failure');
        await this.pause(delay, heartbeat);
      }
    }
  }

  private async pause(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until && !this.stopping) {
      await new Promise((r) => setTimeout(r, Math.min(1000, until - Date.now())));
      await heartbeat().catch(() => undefined);
    }
  }
}
