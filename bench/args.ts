/** `--name value` on the command line, else `BENCH_NAME` in the environment (`--keep-topics`: `BENCH_KEEP_TOPICS`), else `fallback`. */
export const benchArg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : (process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`] ?? fallback);
};

/** The `p`th percentile (0–100) of ascending `sorted`, nearest rank; NaN when empty. */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;

/** p50, p99 and p99.9 of ascending `sortedMs`, rounded to whole milliseconds. */
export const percentilesMs = (sortedMs: readonly number[]) => ({
  p50Ms: Math.round(percentile(sortedMs, 50)),
  p99Ms: Math.round(percentile(sortedMs, 99)),
  p999Ms: Math.round(percentile(sortedMs, 99.9)),
});
