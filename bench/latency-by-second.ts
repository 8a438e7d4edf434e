import { percentile } from './args';

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
  if (orders.length === 0) return [];
  const first = Math.min(...orders.map((o) => o.placedAt));
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
      const sorted = ms.sort((a, b) => a - b);
      return { second, orders: sorted.length, p50Ms: Math.round(percentile(sorted, 50)), p99Ms: Math.round(percentile(sorted, 99)) };
    });
}
