import { figuresOf, median, RunFigures, runOrder, summarize } from '../../bench/ab-plan';

const figures = (p50Ms: number, ordersPerSecond: number, drain: number | null = null): RunFigures => ({
  ordersPerSecond, p50Ms, p99Ms: p50Ms * 2, p999Ms: p50Ms * 3, fleetCpuSeconds: 20, postgresCpuSeconds: 10, drainMessagesPerSecond: drain, maxPeakRssMb: 150,
});

describe('bench:ab plan', () => {
  it('alternates which side of a pair runs first', () => {
    expect(runOrder(1)).toEqual(['candidate', 'base']);
    expect(runOrder(3)).toEqual(['candidate', 'base', 'base', 'candidate', 'candidate', 'base']);
  });

  it('refuses a number of pairs that is not a whole number of 1 or more', () => {
    expect(() => runOrder(0)).toThrow('--pairs 0');
    expect(() => runOrder(1.5)).toThrow('--pairs 1.5');
  });

  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });

  it('gives medians per side, their ratio, and in how many pairs the candidate was lower', () => {
    const summary = summarize([
      { side: 'candidate', pair: 1, figures: figures(100, 900) },
      { side: 'base', pair: 1, figures: figures(200, 800) },
      { side: 'base', pair: 2, figures: figures(150, 850) },
      { side: 'candidate', pair: 2, figures: figures(160, 870) },
      { side: 'candidate', pair: 3, figures: figures(90, 910) },
      { side: 'base', pair: 3, figures: figures(180, 820) },
    ]);
    expect(summary.p50Ms).toEqual({ base: 180, candidate: 100, ratio: 0.56, candidateLowerInPairs: 2 });
    expect(summary.ordersPerSecond).toEqual({ base: 820, candidate: 900, ratio: 1.1, candidateLowerInPairs: 0 });
    expect(summary.fleetCpuSeconds).toEqual({ base: 20, candidate: 20, ratio: 1, candidateLowerInPairs: 0 });
  });

  it('prints a median of two runs without float noise', () => {
    const summary = summarize([
      { side: 'candidate', pair: 1, figures: { ...figures(100, 900), fleetCpuSeconds: 31.1 } },
      { side: 'base', pair: 1, figures: figures(200, 800) },
      { side: 'base', pair: 2, figures: figures(150, 850) },
      { side: 'candidate', pair: 2, figures: { ...figures(160, 870), fleetCpuSeconds: 35.2 } },
    ]);
    expect(summary.fleetCpuSeconds.candidate).toBe(33.15);
  });

  it('leaves a figure the runs do not have (the drain, outside backlog mode) empty', () => {
    const summary = summarize([
      { side: 'candidate', pair: 1, figures: figures(100, 900) },
      { side: 'base', pair: 1, figures: figures(200, 800) },
    ]);
    expect(summary.drainMessagesPerSecond).toEqual({ base: null, candidate: null, ratio: null, candidateLowerInPairs: 0 });
  });

  it('reads a run\'s figures from its results file, the peak RSS of its largest process among them', () => {
    const figures = figuresOf({
      ordersPerSecond: 342.6, p50Ms: 16203, p99Ms: 23184, p999Ms: 23227, drainMessagesPerSecond: null,
      machineCpu: { secondsByComponent: { fleet: 26.8, postgres: 15.4 } },
      peakRssMbByService: { 'intake#0': 148, 'payment#0': 162, 'fraud#0': 140 },
    });
    expect(figures).toEqual({ ordersPerSecond: 342.6, p50Ms: 16203, p99Ms: 23184, p999Ms: 23227, fleetCpuSeconds: 26.8, postgresCpuSeconds: 15.4, drainMessagesPerSecond: null, maxPeakRssMb: 162 });
  });
});
