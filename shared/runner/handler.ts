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

/** What the runner asks of a message before any transaction, from the message alone (onlyWhen, refusingUnfit). */
interface MessageTests {
  /** False: the handler has nothing to do with it, and it is skipped. */
  appliesTo?: (event: never) => boolean;
  /** A reason: the handler can never take it, and it is dead-lettered. */
  unfitOf?: (event: never) => string | null;
}

const testsOf = new WeakMap<Handler<never>, MessageTests>();

/** `handler` with `tests` added to any it had: the wrappers compose, in either order. */
function withTests<N extends RecordName>(handler: Handler<N>, tests: MessageTests): Handler<N> {
  const wrapped: Handler<N> = (ctx, event) => handler(ctx, event);
  testsOf.set(wrapped as Handler<never>, { ...testsOf.get(handler as Handler<never>), ...tests });
  return wrapped;
}

/**
 * A handler for only the messages `appliesTo` accepts, a test of the message alone. The runner
 * skips the others as it skips another service's records: no transaction, no inbox row, nothing
 * written (with no effect there is nothing to de-duplicate). Two of the saga's deliveries per order
 * were such no-ops, each a transaction of its own.
 */
export function onlyWhen<N extends RecordName>(appliesTo: (event: RecordTypes[N]) => boolean, handler: Handler<N>): Handler<N> {
  return withTests(handler, { appliesTo: appliesTo as (event: never) => boolean });
}

/**
 * A handler that can never take the messages `unfitOf` names a reason for, a test of the message
 * alone (ids the store keeps as UUIDs, text it cannot hold). The runner dead-letters such a
 * message as it decodes it (`invalid_payload`, with the reason), before any transaction: thrown
 * from the handler instead, each one rolled its chunk back and the chunk ran again without it, so
 * a flood of them cost a rerun each.
 */
export function refusingUnfit<N extends RecordName>(unfitOf: (event: RecordTypes[N]) => string | null, handler: Handler<N>): Handler<N> {
  return withTests(handler, { unfitOf: unfitOf as (event: never) => string | null });
}

/**
 * What the runner does with a decoded message before any transaction: `skip` (onlyWhen's test
 * refuses it), a reason to dead-letter it (refusingUnfit's), or `handle`. One lookup per message.
 */
export function admission<N extends RecordName>(handler: Handler<N>, event: RecordTypes[N]): 'handle' | 'skip' | { unfit: string } {
  const tests = testsOf.get(handler as Handler<never>);
  if (!tests) return 'handle';
  if (tests.appliesTo && !tests.appliesTo(event as never)) return 'skip';
  const unfit = tests.unfitOf?.(event as never);
  return unfit ? { unfit } : 'handle';
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
