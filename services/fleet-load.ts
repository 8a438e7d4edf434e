import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'perf_hooks';
import type { Logger } from '../shared/logger';

/** Above this share of busy time, every hop of the saga in this process waits for the event loop. */
const FULL_EVENT_LOOP = 0.9;

/** What a fleet process's event loop and memory did over one interval. */
export interface FleetLoad {
  eventLoopUtilization: number;
  eventLoopDelayP99Ms: number;
  rssMb: number;
  heapUsedMb: number;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

/**
 * Logs the process's load every `intervalMs` (none when 0): `load` at info, or a warning when the
 * event loop was busy at least FULL_EVENT_LOOP of the time. All of a process's services share its
 * one event loop, and CPU seconds alone do not show when it is full: in the bench it was 89–98 %
 * busy at 25 orders/s on a slow machine, where a second process lowered the latency (README How to
 * scale).
 */
export class FleetLoadReporter {
  private timer: NodeJS.Timeout | undefined;
  private last: EventLoopUtilization | undefined;
  private readonly delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });

  constructor(private readonly log: Logger, private readonly intervalMs: number) {}

  start(): void {
    if (this.intervalMs === 0) return;
    this.last = performance.eventLoopUtilization();
    this.delay.enable();
    this.timer = setInterval(() => this.report(this.sample()), this.intervalMs);
    this.timer.unref(); // a report never keeps a stopping process alive
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.delay.disable();
  }

  /** The load since the previous sample (or the start). */
  private sample(): FleetLoad {
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, this.last);
    this.last = now;
    const delayP99Ms = this.delay.count > 0 ? this.delay.percentile(99) / 1e6 : 0;
    this.delay.reset();
    const memory = process.memoryUsage();
    return { eventLoopUtilization: round2(busy.utilization), eventLoopDelayP99Ms: round2(delayP99Ms), rssMb: mb(memory.rss), heapUsedMb: mb(memory.heapUsed) };
  }

  private report(load: FleetLoad): void {
    if (load.eventLoopUtilization >= FULL_EVENT_LOOP) {
      this.log.warn(load, 'event loop nearly full: every message of this process waits for it; run some of its services in another process (README How to scale)');
    } else {
      this.log.info(load, 'load');
    }
  }
}
