import type { Consumer } from 'kafkajs';

/**
 * Notices a consumer that has gone quiet for good. A running kafkajs consumer starts a fetch at
 * least every maxWaitTime (RUNNER_FETCH_MAX_WAIT_MS, at most 5 s); while the broker is away its client logs connection errors, and
 * it crashes and restarts over and over; the runner itself marks every chunk and every retry.
 * When none of these has happened for `timeoutMs`, or a batch in hand has made no progress for
 * that long (no chunk of its own, no retry, no client error), something is waiting that will never end (a
 * request or a restart lost after a broker restart: kafkajs issues #1163 and #1513, or a call
 * with no timeout), and nothing else would ever notice: the partitions stay assigned and their
 * orders stop. `onStall` is called once.
 */
export class StallWatchdog {
  private lastSignOfLife = Date.now();
  private lastWaiting = -Infinity;
  private readonly batches = new Set<{ last: number }>();
  private timer: NodeJS.Timeout | undefined;
  private fired = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly onStall: (quietMs: number, what: StallKind) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** A sign that the consumer is working (a fetch started, a rebalance, a chunk begun). */
  alive(): void {
    this.lastSignOfLife = this.now();
  }

  /** Waiting on purpose (a retry's back-off, the client's errors while the broker is away): a sign of life for the consumer and for every batch in hand. */
  waiting(): void {
    this.alive();
    this.lastWaiting = this.lastSignOfLife;
  }

  /**
   * A batch in hand, watched on its own: with several brokers, kafkajs goes on fetching from the
   * others while one broker's batch hangs, so the consumer's signs of life do not speak for it.
   * `progress` at each of its steps; `done` when it returns.
   */
  track(): BatchWatch {
    const batch = { last: this.now() };
    this.batches.add(batch);
    return { progress: () => void (batch.last = this.now()), done: () => void this.batches.delete(batch) };
  }

  start(): void {
    if (this.timer || this.timeoutMs <= 0) return;
    this.alive();
    this.timer = setInterval(() => this.check(), Math.max(100, Math.min(5000, Math.floor(this.timeoutMs / 4))));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Calls `onStall` (and stops watching) if the consumer, or a batch in hand, has been quiet longer than the timeout. */
  check(): void {
    if (this.fired || this.timeoutMs <= 0) return;
    const now = this.now();
    let stalest = Infinity;
    for (const b of this.batches) stalest = Math.min(stalest, b.last);
    const consumerQuiet = now - this.lastSignOfLife;
    const batchQuiet = now - Math.max(stalest, this.lastWaiting);
    // the consumer quiet as a whole is said first: a batch alone counts while the consumer goes on (other brokers' fetches)
    const [quietMs, what]: [number, StallKind] = consumerQuiet > this.timeoutMs ? [consumerQuiet, 'consumer'] : [batchQuiet, 'batch'];
    if (quietMs <= this.timeoutMs) return;
    this.fired = true;
    this.stop();
    this.onStall(quietMs, what);
  }
}

/** What went quiet: the consumer as a whole, or one batch in hand while the consumer went on. */
export type StallKind = 'consumer' | 'batch';

export interface BatchWatch {
  progress(): void;
  done(): void;
}

/** Marks a kafkajs consumer's own signs of life on `watchdog`: a fetch started, a rebalance, a group joined. */
export function watchConsumer(consumer: Consumer, watchdog: StallWatchdog): void {
  for (const sign of [consumer.events.FETCH_START, consumer.events.REBALANCING, consumer.events.GROUP_JOIN]) consumer.on(sign, () => watchdog.alive());
}
