import { waitForEvery } from '../../bench/wait-for-orders';

const ids = Array.from({ length: 1000 }, (_, i) => `o${i}`);

describe('bench waitForEvery', () => {
  it('polls only the newest orders until they are done, then the whole set once', async () => {
    const asked: number[] = [];
    let round = 0;
    await waitForEvery(ids, async (set) => {
      asked.push(set.length);
      round++;
      return round < 3 ? 0 : set.length; // the newest are done on the third poll, everything with them
    }, { intervalMs: 1, what: 'settled', newest: 10 });
    expect(asked).toEqual([10, 10, 10, 1000]);
  });

  it('keeps polling the whole set while older orders are still running', async () => {
    const asked: number[] = [];
    let fullPolls = 0;
    await waitForEvery(ids, async (set) => {
      asked.push(set.length);
      if (set.length < ids.length) return set.length;
      return ++fullPolls < 3 ? set.length - 1 : set.length;
    }, { intervalMs: 1, what: 'settled', newest: 10 });
    expect(asked).toEqual([10, 1000, 1000, 1000]);
  });

  it('gives up at the deadline and says how many were done', async () => {
    await expect(waitForEvery(ids, async (set) => (set.length === ids.length ? 990 : set.length), { intervalMs: 1, deadline: Date.now() + 20, what: 'settled' }))
      .rejects.toThrow('only 990 of 1000 orders settled before the timeout');
  });
});
