/**
 * Handler runs a chunk may spend in transactions that roll back, as a multiple of its size, before
 * its reruns stop running it whole.
 */
export const RERUN_BUDGET_PER_MESSAGE = 4;

/**
 * What a chunk runs next after its handler rejected one of its messages for good inside the
 * transaction (a rejection only the database can tell, such as an AddLineItem for an order that
 * does not exist). The transaction rolled back, so the messages before the rejected one ran in
 * vain. While that waste stays within the budget, the rest runs again whole, as one transaction: a
 * stray bad message costs one rerun. Past it, the messages before the rejected one commit on their
 * own and those after it run next, so every message runs at most twice more: a chunk flooded with
 * rejections costs work linear in its size, where whole reruns cost about n²/8 handler runs
 * (half a million for a chunk of 2,000).
 */
export class ChunkReruns<T> {
  private wasted = 0;
  private readonly budget: number;

  constructor(chunkSize: number) {
    this.budget = RERUN_BUDGET_PER_MESSAGE * chunkSize;
  }

  /** The runs, in order, that take the place of `failed` once `rejected` is taken out of it (none if nothing is left). */
  without(failed: readonly T[], rejected: T): T[][] {
    const at = failed.indexOf(rejected);
    if (at < 0) throw new Error('the rejected message is not in the run that failed');
    this.wasted += at + 1;
    const before = failed.slice(0, at);
    const after = failed.slice(at + 1);
    const runs = this.wasted <= this.budget ? [[...before, ...after]] : [before, after];
    return runs.filter((run) => run.length > 0);
  }
}
