import type { Kafka, Producer, ProducerBatch, ProducerRecord, RecordMetadata } from 'kafkajs';
import type { Logger } from '../logger';
import { createIdempotentProducer } from './client';
import { kafkaErrorTypeIn } from './error-type';

/** What the runner's senders need of a producer: a kafkajs Producer or a RenewingProducer. */
export type MessageSender = Pick<Producer, 'send' | 'sendBatch'>;

/**
 * Errors after which an idempotent producer's sequence numbers no longer match the broker's. A
 * broker restart can keep a batch whose acknowledgement was lost; kafkajs counts that batch as
 * not sent and reuses its sequence, and from then on every send to that partition fails the same
 * way. Seen in the fault suite's broker restart (OUT_OF_ORDER_SEQUENCE_NUMBER on every retry).
 */
const PRODUCER_STATE_ERRORS = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH']);

/** What is logged (warn) when a producer was replaced. */
export const PRODUCER_RENEWED = "the idempotent producer's sequence numbers no longer match the broker's: replaced by a new producer";

export function isProducerStateError(err: unknown): boolean {
  return kafkaErrorTypeIn(err, PRODUCER_STATE_ERRORS) !== null;
}

/**
 * An idempotent producer that replaces itself after a producer-state error: a new kafkajs
 * producer gets a new producer id and starts every sequence at 0, which the broker accepts. The
 * failed send still fails (its caller retries or leaves it to the relay); the ones after it go
 * through the new producer. kafkajs keeps the id and sequences across disconnect and connect,
 * hence a new object rather than a reconnect.
 */
export class RenewingProducer {
  private current: Producer;
  private renewing: Promise<void> | undefined;
  private connected = false;
  /** Producers replaced so far (logged by the owner through `onRenewed`). */
  renewals = 0;

  constructor(private readonly make: () => Producer, private readonly onRenewed: (err: unknown) => void = () => undefined) {
    this.current = make();
  }

  async connect(): Promise<void> {
    await this.current.connect();
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    this.connected = false;
    await this.renewing?.catch(() => undefined);
    await this.current.disconnect();
  }

  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    return this.through((p) => p.send(record));
  }

  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    return this.through((p) => p.sendBatch(batch));
  }

  private async through<T>(call: (p: Producer) => Promise<T>): Promise<T> {
    await this.renewing?.catch(() => undefined);
    const used = this.current;
    try {
      return await call(used);
    } catch (err) {
      if (isProducerStateError(err)) await this.renew(used, err).catch(() => undefined);
      throw err;
    }
  }

  /** Replaces `failed` unless another send already did; a renewal that cannot connect leaves the old one for the next try. */
  private renew(failed: Producer, err: unknown): Promise<void> {
    if (this.current !== failed || !this.connected) return this.renewing ?? Promise.resolve();
    this.renewing ??= (async () => {
      const fresh = this.make();
      await fresh.connect();
      this.current = fresh;
      this.renewals++;
      this.onRenewed(err);
      await failed.disconnect().catch(() => undefined);
    })().finally(() => (this.renewing = undefined));
    return this.renewing;
  }
}

/** The long-lived sender of a service runner or the API: an idempotent producer, renewed after a producer-state error with a warning on `log`. */
export function createRenewingProducer(kafka: Kafka, log: Logger): RenewingProducer {
  return new RenewingProducer(() => createIdempotentProducer(kafka), (err) => log.warn({ err }, PRODUCER_RENEWED));
}
