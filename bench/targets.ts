/**
 * Issue 5's targets for this 2-core machine, and a run's verdict on each one its mode measures: a
 * run judges itself, so a figure quoted from `bench/results/latest.json` carries whether it meets
 * its target and by how much. A target the run cannot speak to (a 250/s latency in a max-rate run,
 * a drain outside backlog mode, 1,000 orders/s over fewer than 50,000 orders) is left out.
 */

/** What the verdicts read of a run's result (bench/run.ts). */
export interface RunFigures {
  orders: number;
  mode: 'normal' | 'hot-sku' | 'backlog';
  offeredRate: number | 'max';
  ordersPerSecond: number;
  limitRatio: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  oversoldUnits: number;
  drainMessagesPerSecond: number | null;
  peakRssMbByService: Record<string, number>;
}

export interface Verdict {
  target: string;
  measured: number;
  met: boolean;
  /** How far from the target, as a ratio ≥ 1 in the target's direction (1 when met; 0 oversold units met exactly). */
  missedBy: number;
}

export const TARGETS = {
  ordersPerSecond: 1000,
  ordersForThroughput: 50_000,
  limitRatio: 0.7,
  latencyAtRate: 250,
  p50Ms: 40,
  p99Ms: 150,
  p999Ms: 400,
  drainMessagesPerSecond: 5000,
  peakRssMb: 150,
} as const;

const atLeast = (target: string, measured: number, floor: number): Verdict => ({ target, measured, met: measured >= floor, missedBy: measured >= floor ? 1 : round(measured > 0 ? floor / measured : Infinity) });
const atMost = (target: string, measured: number, ceiling: number): Verdict => ({ target, measured, met: measured <= ceiling, missedBy: measured <= ceiling ? 1 : round(measured / ceiling) });
const round = (x: number) => Math.round(x * 100) / 100;

/** The verdicts a run's figures give, in the order. */
export function verdicts(run: RunFigures): Verdict[] {
  const out: Verdict[] = [];
  if (run.mode === 'normal' && run.offeredRate === 'max') {
    if (run.orders >= TARGETS.ordersForThroughput) out.push(atLeast(`≥ ${TARGETS.ordersPerSecond} orders/s over ≥ ${TARGETS.ordersForThroughput} orders`, run.ordersPerSecond, TARGETS.ordersPerSecond));
    out.push(atLeast(`≥ ${TARGETS.limitRatio} of the limit`, run.limitRatio, TARGETS.limitRatio));
  }
  if (run.mode === 'normal' && run.offeredRate === TARGETS.latencyAtRate) {
    out.push(atMost(`p50 ≤ ${TARGETS.p50Ms} ms at ${TARGETS.latencyAtRate}/s`, run.p50Ms, TARGETS.p50Ms));
    out.push(atMost(`p99 ≤ ${TARGETS.p99Ms} ms at ${TARGETS.latencyAtRate}/s`, run.p99Ms, TARGETS.p99Ms));
    out.push(atMost(`p99.9 ≤ ${TARGETS.p999Ms} ms at ${TARGETS.latencyAtRate}/s`, run.p999Ms, TARGETS.p999Ms));
  }
  if (run.mode === 'backlog' && run.drainMessagesPerSecond !== null) out.push(atLeast(`drain ≥ ${TARGETS.drainMessagesPerSecond} messages/s`, run.drainMessagesPerSecond, TARGETS.drainMessagesPerSecond));
  out.push({ target: '0 oversold units', measured: run.oversoldUnits, met: run.oversoldUnits === 0, missedBy: run.oversoldUnits === 0 ? 1 : Infinity });
  const peaks = Object.values(run.peakRssMbByService);
  if (peaks.length > 0) out.push(atMost(`peak RSS ≤ ${TARGETS.peakRssMb} MB per process`, Math.max(...peaks), TARGETS.peakRssMb));
  return out;
}
