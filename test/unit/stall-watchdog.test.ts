import { StallWatchdog } from '../../shared/runner/stall-watchdog';

describe('StallWatchdog', () => {
  let now = 0;
  const clock = () => now;
  /** A watchdog on the test's clock, and the stalls it reported: how long, and with what went quiet. */
  const watchdog = (timeoutMs: number) => {
    const stalls: number[] = [];
    const reports: [number, string][] = [];
    const w = new StallWatchdog(timeoutMs, (q, what) => {
      stalls.push(q);
      reports.push([q, what]);
    }, clock);
    return { w, stalls, reports };
  };
  /** From 0 to `untilMs` every `stepMs` on the test's clock: `signs`, then a check. */
  const run = (w: StallWatchdog, stepMs: number, untilMs: number, signs: () => void) => {
    for (now = 0; now <= untilMs; now += stepMs) {
      signs();
      w.check();
    }
  };

  it('when the consumer is quiet longer than the timeout, then it calls onStall once with how long', () => {
    const { w, stalls } = watchdog(1000);
    now = 0;
    w.alive();
    now = 1000;
    w.check();
    expect(stalls).toEqual([]);
    now = 1001;
    w.check();
    now = 5000;
    w.check();
    expect(stalls).toEqual([1001]);
  });

  it('when signs of life keep coming, then it never fires', () => {
    const { w, stalls } = watchdog(1000);
    run(w, 900, 10_000, () => w.alive());
    expect(stalls).toEqual([]);
  });

  it('when the timeout is 0, then it never fires', () => {
    const { w, stalls } = watchdog(0);
    now = 0;
    w.alive();
    now = 1e9;
    w.check();
    expect(stalls).toEqual([]);
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
      now = 0;
      w.track();
      now = 10;
      w.alive();
      now = 2000;
      w.check();
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
