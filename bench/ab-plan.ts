/** The pure half of `npm run bench:ab`: which side runs when, and what the runs add up to. */

export type Side = 'base' | 'candidate';

/** The figures of one bench run that an A/B compares (from its results file). */
export interface RunFigures {
  ordersPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  fleetCpuSeconds: number;
  postgresCpuSeconds: number;
  drainMessagesPerSecond: number | null;
  /** The peak RSS of the run's largest fleet process (the target is per process). */
  maxPeakRssMb: number;
}

export type Figure = keyof RunFigures;
export const FIGURES: readonly Figure[] = ['ordersPerSecond', 'p50Ms', 'p99Ms', 'p999Ms', 'fleetCpuSeconds', 'postgresCpuSeconds', 'drainMessagesPerSecond', 'maxPeakRssMb'];

/** The fields of a run's results file (bench/results/<run id>.json) that an A/B reads. */
export interface BenchResult {
  ordersPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  drainMessagesPerSecond: number | null;
  machineCpu: { secondsByComponent: { fleet: number; postgres: number } };
  peakRssMbByService: Record<string, number>;
}

/** A run's figures, from its results file. */
export function figuresOf(result: BenchResult): RunFigures {
  return {
    ordersPerSecond: result.ordersPerSecond,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    p999Ms: result.p999Ms,
    fleetCpuSeconds: result.machineCpu.secondsByComponent.fleet,
    postgresCpuSeconds: result.machineCpu.secondsByComponent.postgres,
    drainMessagesPerSecond: result.drainMessagesPerSecond,
    maxPeakRssMb: Math.max(...Object.values(result.peakRssMbByService)),
  };
}

/**
 * The order of the runs: pairs alternate which side goes first (candidate, base, base,
 * candidate, …), so a machine that speeds up or slows down during the session favours neither.
 */
export function runOrder(pairs: number): Side[] {
  if (!Number.isInteger(pairs) || pairs < 1) throw new Error(`--pairs ${pairs}: a whole number of pairs, 1 or more`);
  return Array.from({ length: pairs }, (_, i): Side[] => (i % 2 === 0 ? ['candidate', 'base'] : ['base', 'candidate'])).flat();
}

/** The median of `xs`: the middle one, or the mean of the middle two; null when there are none. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface FigureSummary {
  base: number | null;
  candidate: number | null;
  /** candidate ÷ base, of the medians (below 1: the candidate is lower, which for latency and CPU is better). */
  ratio: number | null;
  /** In how many pairs the candidate's figure was below the base's run beside it. */
  candidateLowerInPairs: number;
}

/** A median as the table prints it: the mean of two figures of one decimal has float noise (33.150000000000006). */
const printable = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);

/** Medians per side, their ratio, and a pair-by-pair count, for every figure the runs have. */
export function summarize(runs: readonly { side: Side; pair: number; figures: RunFigures }[]): Record<Figure, FigureSummary> {
  const pairs = [...new Set(runs.map((r) => r.pair))];
  const valuesOf = (side: Side, f: Figure) => runs.filter((r) => r.side === side).map((r) => r.figures[f]).filter((v): v is number => v !== null);
  return Object.fromEntries(
    FIGURES.map((f) => {
      const base = printable(median(valuesOf('base', f)));
      const candidate = printable(median(valuesOf('candidate', f)));
      const candidateLowerInPairs = pairs.filter((p) => {
        const b = runs.find((r) => r.pair === p && r.side === 'base')?.figures[f];
        const c = runs.find((r) => r.pair === p && r.side === 'candidate')?.figures[f];
        return b != null && c != null && c < b;
      }).length;
      const ratio = base && candidate !== null ? Math.round((candidate / base) * 100) / 100 : null;
      return [f, { base, candidate, ratio, candidateLowerInPairs }];
    }),
  ) as Record<Figure, FigureSummary>;
}
