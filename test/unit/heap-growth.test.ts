import { execFileSync } from 'child_process';
import { join } from 'path';
import { loadConfig } from '../../shared/config';

/**
 * Runs, in a fresh Node process, a workload shaped like a service under a backlog: batches of
 * objects that live long enough to be promoted to the old generation, then die. Returns its peak
 * heap use in MB with capHeapGrowth(percent) applied at start-up.
 */
function peakHeapMb(percent: number): number {
  const script = `
    require(${JSON.stringify(join(__dirname, '../../shared/heap-growth'))}).capHeapGrowth(${percent});
    const held = [];
    let peak = 0;
    for (let round = 0; round < 1500; round++) {
      held.push(Array.from({ length: 2000 }, (_, j) => ({ j, s: 'message ' + j + ' of ' + round })));
      if (held.length > 150) held.shift();
      if (round % 10 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    process.stdout.write(String(Math.round(peak / 1048576)));
  `;
  const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  return Number(out);
}

describe('heap growth cap (HEAP_GROWING_PERCENT)', () => {
  it('when the setting is negative, fractional or not a number, then start-up is refused naming it', () => {
    for (const value of ['-1', '2.5', 'lots']) {
      expect(() => loadConfig({ HEAP_GROWING_PERCENT: value })).toThrow(/HEAP_GROWING_PERCENT/);
    }
    expect(loadConfig({}).HEAP_GROWING_PERCENT).toBe(0);
  });

  it('when the growth is capped at start-up, then objects that die after promotion are collected before the heap grows to what V8 alone lets it reach', () => {
    const uncapped = peakHeapMb(0);
    const capped = peakHeapMb(30);
    // the workload holds about 40 MB live: V8's own factor lets its garbage pile up well past that
    expect(uncapped).toBeGreaterThan(120);
    expect(capped).toBeLessThan(uncapped * 0.7);
  }, 60_000);
});
