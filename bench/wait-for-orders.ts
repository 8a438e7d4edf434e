/**
 * Waits until `done(ids)` counts every id. The count is a query with one bind parameter per id, and
 * over 50,000 ids one such query cost the machine about 120 ms (half of it in the bench, half in
 * Postgres) inside the measured window. So it polls the newest orders (which finish last) until they
 * are done, and only then the whole set.
 */
export async function waitForEvery(
  ids: string[],
  done: (ids: string[]) => Promise<number>,
  opts: { intervalMs: number; deadline?: number; what: string; newest?: number },
): Promise<void> {
  const newest = ids.slice(-Math.min(ids.length, opts.newest ?? 200));
  for (const set of [newest, ids]) {
    for (;;) {
      const n = await done(set);
      if (n >= set.length) break;
      if (opts.deadline !== undefined && Date.now() > opts.deadline) {
        throw new Error(`only ${set === ids ? n : `${n} of the newest`} of ${set.length} orders ${opts.what} before the timeout`);
      }
      await new Promise((r) => setTimeout(r, opts.intervalMs));
    }
  }
}
