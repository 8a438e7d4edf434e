import { ChunkReruns, RERUN_BUDGET_PER_MESSAGE } from '../../shared/runner/chunk-reruns';

describe('ChunkReruns: what a chunk runs after a message rejected inside its transaction', () => {
  it('reruns the rest whole while the runs wasted stay within the budget, so a stray rejection keeps the chunk in one transaction', () => {
    const reruns = new ChunkReruns<string>(5);
    expect(reruns.without(['a', 'b', 'x', 'c', 'd'], 'x')).toEqual([['a', 'b', 'c', 'd']]);
    expect(reruns.without(['a', 'b', 'c', 'd'], 'd')).toEqual([['a', 'b', 'c']]);
  });

  it('past the budget, commits the messages before the rejected one on their own and runs those after it next, in order', () => {
    const chunk = ['a', 'b', 'c', 'x', 'd'];
    const reruns = new ChunkReruns<string>(chunk.length);
    // every rejection found at the 4th message wastes 4 runs; the budget is RERUN_BUDGET_PER_MESSAGE × 5
    const wholeReruns = Math.floor((RERUN_BUDGET_PER_MESSAGE * chunk.length) / 4);
    for (let i = 0; i < wholeReruns; i++) expect(reruns.without(chunk, 'x')).toEqual([['a', 'b', 'c', 'd']]);
    expect(reruns.without(chunk, 'x')).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('leaves out empty runs: a rejected first or last message, or one alone', () => {
    const reruns = new ChunkReruns<string>(1);
    reruns.without(['a', 'x'], 'x'); // the budget of 4 is spent on 2 runs, then 3 more
    reruns.without(['a', 'b', 'x'], 'x');
    expect(reruns.without(['x', 'a'], 'x')).toEqual([['a']]);
    expect(reruns.without(['a', 'x'], 'x')).toEqual([['a']]);
    expect(reruns.without(['x'], 'x')).toEqual([]);
  });

  it('refuses a rejected message that is not in the run', () => {
    expect(() => new ChunkReruns<string>(2).without(['a', 'b'], 'x')).toThrow(/not in the run/);
  });
});
