import { latencyBySecond } from '../../bench/latency-by-second';

describe('bench latencyBySecond', () => {
  it('groups orders by the second they were placed in, counted from the first, with each second\'s p50 and p99', () => {
    const t0 = 1_700_000_000_000;
    const orders = [
      ...Array.from({ length: 100 }, (_, i) => ({ placedAt: t0 + i * 9, ms: 1000 - i })), // second 0: 901..1000 ms
      ...Array.from({ length: 10 }, (_, i) => ({ placedAt: t0 + 2500 + i, ms: 20 + i })), // second 2: 20..29 ms
    ];
    expect(latencyBySecond(orders)).toEqual([
      { second: 0, orders: 100, p50Ms: 951, p99Ms: 1000 },
      { second: 2, orders: 10, p50Ms: 25, p99Ms: 29 },
    ]);
  });

  it('takes a run of more orders than a function call can take arguments (200,000)', () => {
    const t0 = 1_700_000_000_000;
    const orders = Array.from({ length: 200_000 }, (_, i) => ({ placedAt: t0 + i, ms: 10 }));
    expect(latencyBySecond(orders)).toHaveLength(200);
  });

  it('gives nothing for no orders', () => {
    expect(latencyBySecond([])).toEqual([]);
  });
});
