import { performance } from 'perf_hooks';
import { Writable } from 'stream';
import { createLogger } from '../../shared/logger';
import { FleetLoadReporter } from '../../services/fleet-load';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Keeps the event loop busy for `ms`, yielding only between 50 ms stretches, as a process whose loop is full does. */
async function spin(ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const stretch = Math.min(end, Date.now() + 50);
    while (Date.now() < stretch) Math.sqrt(Math.random());
    await new Promise((r) => setImmediate(r));
  }
}

/** Waits (up to 5 s) for a 100 ms stretch in which the event loop was less than a fifth busy. */
async function quietEventLoop(): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const before = performance.eventLoopUtilization();
    await sleep(100);
    if (performance.eventLoopUtilization(performance.eventLoopUtilization(), before).utilization < 0.2) return;
  }
}

/** The lines a reporter logging every `intervalMs` writes while `activity` runs. */
async function reportsDuring(intervalMs: number, activity: () => Promise<unknown>) {
  const lines: { level: number; msg: string; eventLoopUtilization?: number; eventLoopDelayP99Ms?: number; rssMb?: number }[] = [];
  const destination = new Writable({ write: (chunk, _enc, done) => { lines.push(JSON.parse(String(chunk))); done(); } });
  const reporter = new FleetLoadReporter(createLogger('test', 'info', destination), intervalMs);
  reporter.start();
  await activity();
  reporter.stop();
  return lines;
}

describe('fleet load reporter', () => {
  it('when the event loop was busy nearly all the interval, then it warns, with the share busy and the delay it caused', async () => {
    const lines = await reportsDuring(200, () => spin(450));
    const busy = lines.find((l) => l.level === 40);
    expect(busy?.msg).toMatch(/^event loop nearly full/);
    expect(busy!.eventLoopUtilization).toBeGreaterThanOrEqual(0.9);
    expect(busy!.eventLoopDelayP99Ms).toBeGreaterThan(20); // timers fire up to a stretch late
    expect(busy!.rssMb).toBeGreaterThan(0);
  });

  it('when the event loop was mostly idle, then it logs the load at info', async () => {
    // in the full run this shares a jest process with the integration tests: wait out their leftovers first
    await quietEventLoop();
    const lines = await reportsDuring(100, () => sleep(350));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    // a major GC of that process can still fill one interval: each line's level follows its own figure
    for (const line of lines) {
      expect(line).toMatchObject(line.eventLoopUtilization! >= 0.9 ? { level: 40, msg: expect.stringMatching(/^event loop nearly full/) } : { level: 30, msg: 'load' });
    }
    expect(lines.filter((l) => l.level === 30 && l.eventLoopUtilization! < 0.5).length).toBeGreaterThanOrEqual(1);
  });

  it('when the interval is 0, then it never logs', async () => {
    expect(await reportsDuring(0, () => sleep(150))).toEqual([]);
  });
});
