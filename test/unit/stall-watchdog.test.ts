import { StallWatchdog } from '../../shared/runner/stall-watchdog';

describe('StallWatchdog', () => {
  let now = 0;
  const clock = () => now;
  /** A watchdog on the test's clock, and the stalls it reported. */
  const watchdog = (timeoutMs: number) => {
    const stalls: number[] = [];
    return { w: new StallWatchdog(timeoutMs, (q) => stalls.push(q), clock), stalls };
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
    for (now = 0; now < 10_000; now += 900) {
      w.alive();
      w.check();
    }
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
    const kinds = (timeoutMs: number) => {
      const stalls: [number, string][] = [];
      return { w: new StallWatchdog(timeoutMs, (q, what) => stalls.push([q, what]), clock), stalls };
    };

    it('when a batch makes no progress while the consumer keeps fetching, then it fires once, for the batch', () => {
      const { w, stalls } = kinds(1000);
      now = 0;
      w.track();
      for (now = 0; now <= 3000; now += 500) {
        w.alive(); // fetches from the other brokers
        w.check();
      }
      expect(stalls).toEqual([[1500, 'batch']]);
    });

    it('when batches progress, or return, then it never fires', () => {
      const { w, stalls } = kinds(1000);
      now = 0;
      const working = w.track();
      const finished = w.track();
      finished.done();
      for (now = 0; now <= 10_000; now += 500) {
        w.alive();
        working.progress();
        w.check();
      }
      working.done();
      expect(stalls).toEqual([]);
    });

    it('when the runner waits on purpose (a retry\'s back-off, the client\'s errors), then every batch in hand counts as alive', () => {
      const { w, stalls } = kinds(1000);
      now = 0;
      w.track();
      for (now = 0; now <= 10_000; now += 500) {
        w.waiting();
        w.check();
      }
      expect(stalls).toEqual([]);
    });
  });
});
