import { ChunkCoalescer } from '../../shared/runner/chunk-coalescer';

const noHeartbeat = async () => undefined;

describe('ChunkCoalescer', () => {
  it('when partitions hand in chunks in one event-loop turn, then they run as one chunk, each partition in its order', async () => {
    const runs: string[][] = [];
    const coalescer = new ChunkCoalescer<string>(10, async (items) => void runs.push(items));
    await Promise.all([coalescer.submit(['p0-1', 'p0-2'], noHeartbeat), coalescer.submit(['p1-1'], noHeartbeat), coalescer.submit(['p2-1', 'p2-2'], noHeartbeat)]);
    expect(runs).toEqual([['p0-1', 'p0-2', 'p1-1', 'p2-1', 'p2-2']]);
  });

  it('when the chunks of one turn exceed the maximum, then they are split at chunk boundaries, and a chunk bigger than it runs alone', async () => {
    const runs: string[][] = [];
    const coalescer = new ChunkCoalescer<string>(3, async (items) => void runs.push(items));
    await Promise.all([
      coalescer.submit(['a1', 'a2'], noHeartbeat),
      coalescer.submit(['b1'], noHeartbeat),
      coalescer.submit(['c1', 'c2'], noHeartbeat),
      coalescer.submit(['d1', 'd2', 'd3', 'd4'], noHeartbeat),
    ]);
    expect(runs).toEqual([['a1', 'a2', 'b1'], ['c1', 'c2'], ['d1', 'd2', 'd3', 'd4']]);
  });

  it('when chunks come in different turns, then they run separately', async () => {
    const runs: string[][] = [];
    const coalescer = new ChunkCoalescer<string>(10, async (items) => void runs.push(items));
    await coalescer.submit(['first'], noHeartbeat);
    await coalescer.submit(['second'], noHeartbeat);
    expect(runs).toEqual([['first'], ['second']]);
  });

  it('when a joined chunk fails, then every submission in it is rejected with that error and the next turn runs normally', async () => {
    const coalescer = new ChunkCoalescer<string>(10, async (items) => {
      if (items.includes('bad')) throw new Error('shutting down');
    });
    const results = await Promise.allSettled([coalescer.submit(['ok'], noHeartbeat), coalescer.submit(['bad'], noHeartbeat)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect(coalescer.submit(['later'], noHeartbeat)).resolves.toBeUndefined();
  });
});
