type Heartbeat = () => Promise<void>;

interface Waiting<T> {
  items: T[];
  heartbeat: Heartbeat;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Joins the chunks that a service's partitions hand in during one turn of the event loop into
 * one chunk of at most `maxItems` (a chunk bigger than that on its own runs alone), and runs each
 * joined chunk once. kafkajs hands every partition's batch of a fetch to the runner in the same
 * turn, so a fetch over many partitions becomes one transaction instead of one per partition:
 * per-chunk costs (begin, inbox, order locks, outbox, commit, send) are paid once per fetch, and
 * the next fetch no longer waits for waves of small transactions. Each partition's messages stay
 * in their order; messages of different partitions never depended on each other's order.
 */
export class ChunkCoalescer<T> {
  private waiting: Waiting<T>[] = [];
  private scheduled = false;

  constructor(private readonly maxItems: number, private readonly run: (items: T[], heartbeat: Heartbeat) => Promise<void>) {}

  /** Resolves once the joined chunk holding `items` has run (or rejects as it did). */
  submit(items: T[], heartbeat: Heartbeat): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ items, heartbeat, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.waiting.length > 0) {
      const group = [this.waiting.shift()!];
      let size = group[0]!.items.length;
      while (this.waiting.length > 0 && size + this.waiting[0]!.items.length <= this.maxItems) {
        size += this.waiting[0]!.items.length;
        group.push(this.waiting.shift()!);
      }
      void this.runGroup(group);
    }
  }

  private async runGroup(group: Waiting<T>[]): Promise<void> {
    try {
      await this.run(group.flatMap((w) => w.items), group[0]!.heartbeat);
      for (const w of group) w.resolve();
    } catch (e) {
      for (const w of group) w.reject(e);
    }
  }
}
