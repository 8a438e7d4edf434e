import { kafkaErrorTypeIn } from '../kafka/error-type';

/**
 * Kafka error types that no retry of the same send can cure: the row waits for an operator (its
 * topic recreated, an ACL granted, the broker's size limit raised), not for the broker to come back.
 */
const UNSENDABLE = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'TOPIC_AUTHORIZATION_FAILED', 'MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_TOPIC_EXCEPTION']);

/** The Kafka error type that makes this send unsendable; null for anything else (taken as transient). */
export function unsendableReason(err: unknown): string | null {
  return kafkaErrorTypeIn(err, UNSENDABLE);
}

/**
 * Outbox rows the relay has set aside after an unsendable failure, so the rows behind them go on.
 * Each is released after `holdMs` and tried again: a recreated topic then gets its events after all.
 * Held in memory: a restarted instance finds such a row again on its first sweep.
 */
export class HeldRows {
  private readonly until = new Map<string, number>();

  constructor(private readonly holdMs: number, private readonly now: () => number = Date.now) {}

  hold(id: string): void {
    this.until.set(id, this.now() + this.holdMs);
  }

  /** The ids still held; those whose time is up are released. */
  ids(): string[] {
    const now = this.now();
    for (const [id, until] of this.until) if (until <= now) this.until.delete(id);
    return [...this.until.keys()];
  }
}
