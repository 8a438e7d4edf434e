import { Writable } from 'stream';
import { createLogger } from '../../shared/logger';
import { stopAll } from '../../services/fleet-runner';

describe('fleet shutdown: stopping every service of the process', () => {
  const logged = () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    return { log: createLogger('test', 'info', sink), lines };
  };
  const runner = (name: string, stop: () => Promise<void>) => ({ name, stop: jest.fn(stop) });

  it('when every service stops, then the stop is clean', async () => {
    const { log } = logged();
    const runners = [runner('intake', async () => undefined), runner('fraud', async () => undefined)];
    expect(await stopAll(runners, log)).toBe(true);
    for (const r of runners) expect(r.stop).toHaveBeenCalledTimes(1);
  });

  it('when one service fails to stop, then the others still stop, the failure is logged with its service, and the stop is not clean (exit code 1)', async () => {
    const { log, lines } = logged();
    const runners = [runner('intake', async () => undefined), runner('payment', () => Promise.reject(new Error('offset commit refused'))), runner('fraud', async () => undefined)];
    expect(await stopAll(runners, log)).toBe(false);
    for (const r of runners) expect(r.stop).toHaveBeenCalledTimes(1);
    const failure = lines.map((l) => JSON.parse(l)).find((l) => l.msg.startsWith('did not stop cleanly'));
    expect(failure).toMatchObject({ service: 'payment', err: { message: 'offset commit refused' } });
  });
});
