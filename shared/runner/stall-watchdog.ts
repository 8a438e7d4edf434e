import type { Consumer } from 'kafkajs';

/**
 * Notices a consumer that has gone quiet for good. A running kafkajs consumer starts a fetch at
 * least every maxWaitTime (RUNNER_FETCH_MAX_WAIT_MS, at most 5 s); while the broker is away its client logs connection errors, and
 * it crashes and restarts over and over; the runner itself marks every chunk and every retry.
 * When none of these has happened for `timeoutMs`, something is waiting that will never end (a
 * request or a restart lost after a broker restart: kafkajs issues #1163 and #1513, or a call
 * with no timeout), and nothing else would ever notice: the partitions stay assigned and their
 * orders stop. `onStall` is called once.
 */
export class StallWatchdog {
  private lastSignOfLife = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private fired = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly onStall: (quietMs: number) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** A sign that the consumer is working or knowingly waiting. */
  alive(): void {
    this.lastSignOfLife = this.now();
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
    const quietMs = this.now() - this.lastSignOfLife;
    if (this.fired || this.timeoutMs <= 0 || quietMs <= this.timeoutMs) return;
    this.fired = true;
    this.stop();
    this.onStall(quietMs);
  }
}

/** Marks a kafkajs consumer's own signs of life on `watchdog`: a fetch started, a rebalance, a group joined. */
export function watchConsumer(consumer: Consumer, watchdog: StallWatchdog): void {
  for (const sign of [consumer.events.FETCH_START, consumer.events.REBALANCING, consumer.events.GROUP_JOIN]) consumer.on(sign, () => watchdog.alive());
}
