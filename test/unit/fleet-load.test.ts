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
    const lines = await reportsDuring(100, () => sleep(350));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) {
      expect(line).toMatchObject({ level: 30, msg: 'load' });
      expect(line.eventLoopUtilization).toBeLessThan(0.5);
    }
  });

  it('when the interval is 0, then it never logs', async () => {
    expect(await reportsDuring(0, () => sleep(150))).toEqual([]);
  });
});
