import type { Knex } from 'knex';
import type { CommandPublisher } from '../command-publisher';
import type { Transact } from '../db/knex';
import type { RecordName } from '../contracts/codec';
import type { RecordTypes } from '../contracts/types.generated';
import type { Logger } from '../logger';
import type { Cause, OrderState, TransitionOptions, TransitionResult } from '../order-state';
import type { TopicKey } from '../topics';

export const ENVELOPE_FIELDS = ['eventId', 'orderId', 'occurredAt', 'correlationId', 'causationId', 'producer', 'orderVersion'] as const;
type EnvelopeField = (typeof ENVELOPE_FIELDS)[number];

/** What a handler supplies for an outgoing record: the payload; the runner fills the envelope. */
export type Outgoing<N extends RecordName> = Omit<RecordTypes[N], EnvelopeField> & {
  orderId?: string;
  orderVersion?: number;
};

export interface HandlerContext {
  /** The transaction that also holds the inbox rows and the outbox row. */
  readonly trx: Knex.Transaction;
  readonly log: Logger;
  readonly source: { topic: string; partition: number; offset: string; recordName: string };
  /** Writes an event to the outbox; it is sent after the transaction commits. */
  emit<N extends RecordName>(recordName: N, payload: Outgoing<N>): Promise<void>;
  /** The message in hand as the cause of a transition (for steps that batch their transitions). */
  readonly cause: Cause;
  /** Guarded OrderState transition caused by the message in hand, recorded in the history. */
  transition(orderId: string, to: OrderState, options?: TransitionOptions): Promise<TransitionResult>;
  /**
   * One accumulator per transaction under `key`, created on first use and flushed after the last
   * handler of the chunk, before the outbox write. Lets a service take its hot locks (e.g. stock
   * rows) once, at the end, instead of holding them across the whole chunk.
   */
  chunkScoped<T extends ChunkFlush>(key: string, create: () => T): T;
  /** The order of every message this chunk's handlers run, in order (with repeats), so a service can read them all at once. */
  readonly chunkOrderIds: readonly string[];
}

export interface ChunkFlush {
  flush(): Promise<void>;
}

export type Handler<N extends RecordName> = (ctx: HandlerContext, event: RecordTypes[N]) => Promise<void>;

const predicates = new WeakMap<Handler<never>, (event: never) => boolean>();

/**
 * A handler for only the messages `appliesTo` accepts, a test of the message alone. The runner
 * skips the others as it skips another service's records: no transaction, no inbox row, nothing
 * written (with no effect there is nothing to de-duplicate). Two of the saga's deliveries per order
 * were such no-ops, each a transaction of its own.
 */
export function onlyWhen<N extends RecordName>(appliesTo: (event: RecordTypes[N]) => boolean, handler: Handler<N>): Handler<N> {
  const selective: Handler<N> = (ctx, event) => handler(ctx, event);
  predicates.set(selective as Handler<never>, appliesTo as (event: never) => boolean);
  return selective;
}

/** False when the handler was made with onlyWhen and its test refuses the message. */
export function handlerApplies<N extends RecordName>(handler: Handler<N>, event: RecordTypes[N]): boolean {
  const appliesTo = predicates.get(handler as Handler<never>);
  return appliesTo ? appliesTo(event as never) : true;
}

const unfitChecks = new WeakMap<Handler<never>, (event: never) => string | null>();

/**
 * A handler that can never take the messages `unfitOf` names a reason for, a test of the message
 * alone (ids the store keeps as UUIDs, text it cannot hold). The runner dead-letters such a
 * message as it decodes it (`invalid_payload`, with the reason), before any transaction: thrown
 * from the handler instead, each one rolled its chunk back and the chunk ran again without it, so
 * a flood of them cost a rerun each. The runner asks the handler a service registers, so this and
 * onlyWhen do not wrap each other: a handler needing both would need one wrapper holding both tests.
 */
export function refusingUnfit<N extends RecordName>(unfitOf: (event: RecordTypes[N]) => string | null, handler: Handler<N>): Handler<N> {
  const guarded: Handler<N> = (ctx, event) => handler(ctx, event);
  unfitChecks.set(guarded as Handler<never>, unfitOf as (event: never) => string | null);
  return guarded;
}

/** Why the handler (made with refusingUnfit) can never take the message, or null. */
export function unfitFor<N extends RecordName>(handler: Handler<N>, event: RecordTypes[N]): string | null {
  return unfitChecks.get(handler as Handler<never>)?.(event as never) ?? null;
}

export interface ServiceDefinition {
  /** Service name; also the inbox consumer name and the consumer group suffix. */
  readonly name: string;
  readonly consumes: readonly TopicKey[];
  /** Records the service acts on; other records on its topics are read and skipped. */
  readonly handlers: { readonly [N in RecordName]?: Handler<N> };
  /** Work on a timer beside the consumer (inventory's hold expiry), for as long as the runner runs. */
  readonly housekeeping?: readonly Housekeeping[];
}

/**
 * A service's periodic task. A run that fails is logged and the next goes ahead, so a task must be
 * safe to repeat: what one run did not finish, the next finds again.
 */
export interface Housekeeping {
  readonly name: string;
  readonly intervalMs: number;
  run(ctx: HousekeepingContext): Promise<unknown>;
}

export interface HousekeepingContext {
  /** A transaction as the service's role, as its handlers run. */
  transact: Transact;
  /** Publishes commands to oms.order-commands in one send, with the runner's idempotent producer. */
  publishCommands: CommandPublisher['publishAll'];
  log: Logger;
}
