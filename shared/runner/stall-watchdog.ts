import type { Consumer } from 'kafkajs';

/**
 * Notices a consumer that has gone quiet for good. A running kafkajs consumer starts a fetch at
 * least every maxWaitTime (RUNNER_FETCH_MAX_WAIT_MS, at most 5 s); while the broker is away its client logs connection errors, and
 * it crashes and restarts over and over; the runner itself marks every chunk and every retry.
 * When none of these has happened for `timeoutMs`, something is waiting that will never end (a
 * request or a restart lost after a broker restart: kafkajs issues #1163 and #1513, or a call
 * with no timeout), and nothing else would ever notice: the partitions stay assigned and their
 * orders stop. A chunk in hand is watched on its own: with RUNNER_FETCH_AHEAD the consumer goes
 * on fetching while a chunk runs, so its fetches must not hide a chunk that never ends. `onStall`
 * is called once.
 */
export class StallWatchdog {
  private lastSignOfLife = Date.now();
  /** Each chunk in hand, with its start or the last retry or back-off since. */
  private readonly inHand = new Set<{ progressAt: number }>();
  private timer: NodeJS.Timeout | undefined;
  private fired = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly onStall: (quietMs: number) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** A sign that the runner is working or knowingly waiting (a retry, a back-off): progress for every chunk in hand. */
  alive(): void {
    this.lastSignOfLife = this.now();
    for (const chunk of this.inHand) chunk.progressAt = this.lastSignOfLife;
  }

  /** The Kafka client's own sign of life (a fetch started, a batch handed in, a rebalance, a client error): no chunk's progress. */
  polling(): void {
    this.lastSignOfLife = this.now();
  }

  /** Runs a chunk as work in hand: the watchdog also fires when one in hand has not progressed for the timeout. */
  async during<T>(chunk: () => Promise<T>): Promise<T> {
    const mark = { progressAt: this.now() };
    this.inHand.add(mark);
    this.lastSignOfLife = mark.progressAt;
    try {
      return await chunk();
    } finally {
      this.inHand.delete(mark);
      this.lastSignOfLife = this.now();
    }
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

  /** Calls `onStall` (and stops watching) if the consumer has been quiet longer than the timeout. */
  check(): void {
    const now = this.now();
    let quietMs = now - this.lastSignOfLife;
    for (const chunk of this.inHand) quietMs = Math.max(quietMs, now - chunk.progressAt);
    if (this.fired || this.timeoutMs <= 0 || quietMs <= this.timeoutMs) return;
    this.fired = true;
    this.stop();
    this.onStall(quietMs);
  }
}

/** Marks a kafkajs consumer's own signs of life on `watchdog`: a fetch started, a rebalance, a group joined. */
export function watchConsumer(consumer: Consumer, watchdog: StallWatchdog): void {
  for (const sign of [consumer.events.FETCH_START, consumer.events.REBALANCING, consumer.events.GROUP_JOIN]) consumer.on(sign, () => watchdog.polling());
}
