import { percentilesMs } from './args';

export interface SecondOfRun {
  /** Seconds from the series' first order placed to the orders counted here. */
  second: number;
  orders: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Latency by the second in which each order was placed: a fleet's first seconds after a start, or
 * a stall in the middle of a run, show here and vanish in whole-run percentiles.
 */
export function latencyBySecond(orders: readonly { placedAt: number; ms: number }[]): SecondOfRun[] {
  const first = orders.reduce((min, o) => Math.min(min, o.placedAt), Infinity); // no spread: a run's orders would overflow the stack
  const bySecond = new Map<number, number[]>();
  for (const o of orders) {
    const second = Math.floor((o.placedAt - first) / 1000);
    const list = bySecond.get(second) ?? [];
    list.push(o.ms);
    bySecond.set(second, list);
  }
  return [...bySecond.entries()]
    .sort(([a], [b]) => a - b)
    .map(([second, ms]) => {
      const { p50Ms, p99Ms } = percentilesMs(ms.sort((a, b) => a - b));
      return { second, orders: ms.length, p50Ms, p99Ms };
    });
}
