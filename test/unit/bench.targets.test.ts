import { type RunFigures, verdicts } from '../../bench/targets';

const run = (over: Partial<RunFigures>): RunFigures => ({
  orders: 50_000, mode: 'normal', offeredRate: 'max', ordersPerSecond: 1063.6, limitRatio: 0.444, p50Ms: 25_130, p99Ms: 41_605, p999Ms: 41_863,
  oversoldUnits: 0, drainMessagesPerSecond: null, peakRssMbByService: { 'a#0': 525, 'b#0': 483 }, ...over,
});
const byTarget = (r: RunFigures) => Object.fromEntries(verdicts(r).map((v) => [v.target, { met: v.met, missedBy: v.missedBy, measured: v.measured }]));

describe('bench targets: a run judges the figures its mode measures', () => {
  it('when a max-rate run covers 50,000 orders, then it is judged on orders/s, the limit ratio, oversold units and the largest peak RSS', () => {
    expect(byTarget(run({}))).toEqual({
      '≥ 1000 orders/s over ≥ 50000 orders': { met: true, missedBy: 1, measured: 1063.6 },
      '≥ 0.7 of the limit': { met: false, missedBy: 1.58, measured: 0.444 },
      '0 oversold units': { met: true, missedBy: 1, measured: 0 },
      'peak RSS ≤ 150 MB per process': { met: false, missedBy: 3.5, measured: 525 },
    });
  });

  it('when a max-rate run has fewer than 50,000 orders, then its orders/s are not judged against the target', () => {
    expect(Object.keys(byTarget(run({ orders: 10_000 })))).not.toContain('≥ 1000 orders/s over ≥ 50000 orders');
  });

  it('when a run offers 250/s, then it is judged on its latency percentiles and not on orders/s or the limit', () => {
    const v = byTarget(run({ orders: 7500, offeredRate: 250, p50Ms: 156, p99Ms: 290, p999Ms: 327, ordersPerSecond: 248.6 }));
    expect(v['p50 ≤ 40 ms at 250/s']).toEqual({ met: false, missedBy: 3.9, measured: 156 });
    expect(v['p99 ≤ 150 ms at 250/s']).toEqual({ met: false, missedBy: 1.93, measured: 290 });
    expect(v['p99.9 ≤ 400 ms at 250/s']).toEqual({ met: true, missedBy: 1, measured: 327 });
    expect(Object.keys(v).some((t) => t.includes('orders/s') || t.includes('limit'))).toBe(false);
  });

  it('when a backlog run drains, then it is judged on the drain rate; oversold units above 0 are missed outright', () => {
    const v = byTarget(run({ mode: 'backlog', orders: 10_000, drainMessagesPerSecond: 4746, oversoldUnits: 2 }));
    expect(v['drain ≥ 5000 messages/s']).toEqual({ met: false, missedBy: 1.05, measured: 4746 });
    expect(v['0 oversold units']).toEqual({ met: false, missedBy: Infinity, measured: 2 });
    expect(Object.keys(v).some((t) => t.includes('limit'))).toBe(false);
  });
});
