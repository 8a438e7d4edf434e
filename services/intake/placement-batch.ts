import type { Knex } from 'knex';
import type { ChunkFlush, HandlerContext } from '../../shared/runner/handler';
import { createOrders, NewOrder } from './order-repository';

interface Queued extends NewOrder {
  /** Runs once the batch knows whether this submission created the order or repeated one. */
  then: (created: boolean) => Promise<void>;
}

/**
 * The chunk's new orders, written together: SubmitOrder handlers validate and price on their own,
 * then queue the order; one statement per table stores them all, and each submission's outcome is
 * announced in message order. Any other intake step flushes the queue before it reads, so a
 * command about an order submitted earlier in the same chunk finds it stored.
 */
export class PlacementBatch implements ChunkFlush {
  private queued: Queued[] = [];

  private constructor(private readonly trx: Knex.Transaction) {}

  static of(ctx: HandlerContext): PlacementBatch {
    return ctx.chunkScoped('intake.placements', () => new PlacementBatch(ctx.trx));
  }

  queue(order: Queued): void {
    this.queued.push(order);
  }

  async flush(): Promise<void> {
    const queued = this.queued;
    if (queued.length === 0) return;
    this.queued = [];
    const created = await createOrders(this.trx, queued);
    for (const [i, q] of queued.entries()) await q.then(created[i]!);
  }
}
