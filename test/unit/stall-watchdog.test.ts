import { StallWatchdog } from '../../shared/runner/stall-watchdog';

describe('StallWatchdog', () => {
  let now = 0;
  const clock = () => now;
  /** A watchdog on the test's clock, and the stalls it reported: how long, and what went quiet. */
  const watchdog = (timeoutMs: number) => {
    const reports: [number, string][] = [];
    const w = new StallWatchdog(timeoutMs, (q, what) => reports.push([q, what]), clock);
    return { w, reports };
  };
  /** At `ms` on the test's clock: `act`, then a check. */
  const at = (w: StallWatchdog, ms: number, act: () => void = () => undefined) => {
    now = ms;
    act();
    w.check();
  };
  /** From 0 to `untilMs` every `stepMs` on the test's clock: `signs`, then a check. */
  const run = (w: StallWatchdog, stepMs: number, untilMs: number, signs: () => void) => {
    for (now = 0; now <= untilMs; now += stepMs) {
      signs();
      w.check();
    }
  };

  it('when the consumer is quiet longer than the timeout, then it calls onStall once with how long', () => {
    const { w, reports } = watchdog(1000);
    at(w, 0, () => w.alive());
    at(w, 1000);
    expect(reports).toEqual([]);
    at(w, 1001);
    at(w, 5000);
    expect(reports).toEqual([[1001, 'consumer']]);
  });

  it('when signs of life keep coming, then it never fires', () => {
    const { w, reports } = watchdog(1000);
    run(w, 900, 10_000, () => w.alive());
    expect(reports).toEqual([]);
  });

  it('when the timeout is 0, then it never fires', () => {
    const { w, reports } = watchdog(0);
    at(w, 0, () => w.alive());
    at(w, 1e9);
    expect(reports).toEqual([]);
  });

  describe('a batch in hand, watched on its own (kafkajs fetches from other brokers while one broker\'s batch hangs)', () => {
    it('when a batch makes no progress while the consumer keeps fetching, then it fires once, for the batch', () => {
      const { w, reports } = watchdog(1000);
      now = 0;
      w.track();
      run(w, 500, 3000, () => w.alive()); // fetches from the other brokers
      expect(reports).toEqual([[1500, 'batch']]);
    });

    it('when the consumer and its batch are both quiet, then it says the consumer (its chunk\'s first attempt is a sign of life a little after the batch\'s own)', () => {
      const { w, reports } = watchdog(1000);
      at(w, 0, () => w.track());
      at(w, 10, () => w.alive());
      at(w, 2000);
      expect(reports).toEqual([[1990, 'consumer']]);
    });

    it('when batches progress, or return, then it never fires', () => {
      const { w, reports } = watchdog(1000);
      now = 0;
      const working = w.track();
      const finished = w.track();
      finished.done();
      run(w, 500, 10_000, () => {
        w.alive();
        working.progress();
      });
      working.done();
      expect(reports).toEqual([]);
    });

    it('when the runner waits on purpose (a retry\'s back-off, the client\'s errors), then every batch in hand counts as alive', () => {
      const { w, reports } = watchdog(1000);
      now = 0;
      w.track();
      run(w, 500, 10_000, () => w.waiting());
      expect(reports).toEqual([]);
    });
  });
});
