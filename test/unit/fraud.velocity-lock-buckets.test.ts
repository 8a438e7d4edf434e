import { velocityLockBuckets } from '../../services/fraud/fraud-batch';

describe('fraud velocity lock buckets', () => {
  it('when keys repeat, then each bucket is taken once, ascending, within 0–127', () => {
    const keys = ['a', 'b', 'c', 'a', 'tok_1', 'tok_2'].map((value) => ({ kind: 'payment_token', value }));
    const buckets = velocityLockBuckets(keys);
    expect(buckets).toEqual([...new Set(buckets)].sort((x, y) => x - y));
    expect(buckets.every((b) => Number.isInteger(b) && b >= 0 && b < 128)).toBe(true);
    expect(buckets.length).toBeLessThanOrEqual(5);
  });

  it('when two chunks share a key, then they share its bucket whatever else they hold (so the second waits for the first)', () => {
    const shared = { kind: 'customer', value: 'cust-42' };
    const [own] = velocityLockBuckets([shared]);
    const other = velocityLockBuckets([{ kind: 'email', value: 'x@example.com' }, shared, { kind: 'payment_token', value: 'tok_9' }]);
    expect(other).toContain(own);
  });

  it('when the kind differs, then the same value may fall in another bucket: kind and value are hashed together', () => {
    const values = Array.from({ length: 50 }, (_, i) => `v${i}`);
    const differ = values.filter((value) => velocityLockBuckets([{ kind: 'customer', value }])[0] !== velocityLockBuckets([{ kind: 'email', value }])[0]);
    expect(differ.length).toBeGreaterThan(40);
  });

  it('when a chunk holds thousands of keys, then it takes at most 128 locks', () => {
    const keys = Array.from({ length: 6000 }, (_, i) => ({ kind: 'customer', value: `c${i}` }));
    expect(velocityLockBuckets(keys)).toHaveLength(128);
  });
});
