/**
 * Runs `task` again `intervalMs` after each run ends (never two at once). A run that fails is
 * reported to `onError` and the next one goes ahead: housekeeping must outlive a database or
 * broker outage. `stop` cancels the next run and waits for the one in progress.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly task: () => Promise<unknown>, private readonly intervalMs: number, private readonly onError: (err: unknown) => void) {}

  /** The first run comes after `firstRunInMs` (one interval unless said). */
  start(firstRunInMs = this.intervalMs): void {
    const tick = () => {
      this.running = this.task()
        .then(() => undefined)
        .catch(this.onError)
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(tick, this.intervalMs);
        });
    };
    this.timer = setTimeout(tick, firstRunInMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
