/**
 * Keeps each partition's chunks in order when a service fetches ahead (RUNNER_FETCH_AHEAD): the
 * next fetch's chunk of a partition starts only after that partition's previous chunk has
 * committed, and a chunk that failed holds its partition back until the next group join. kafkajs
 * fetches again from the offsets resolved in it, which run ahead of the committed ones here; after
 * a join it fetches from the committed offsets, so the failed chunk's messages come back.
 */
export class PartitionOrder {
  private readonly tails = new Map<string, Promise<void>>();

  /** Waits for the partition's last chunk handed in; throws its failure, for every later chunk, until reset. */
  async previous(partitionKey: string): Promise<void> {
    await this.tails.get(partitionKey);
  }

  /** `handled` settles once the chunk has committed and its offset is done. */
  add(partitionKey: string, handled: Promise<void>): void {
    handled.catch(() => undefined); // its failure is the partition's next chunk's to report (previous)
    this.tails.set(partitionKey, handled);
  }

  /** After a group join: chunks still running are still waited for, but a failure no longer holds a partition back. */
  reset(): void {
    for (const [key, tail] of this.tails) this.tails.set(key, tail.catch(() => undefined));
  }

  /** Settles once every chunk handed in so far has, committed or not. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.tails.values()]);
  }
}
