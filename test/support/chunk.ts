import type { Knex } from 'knex';
import type { ChunkFlush, HandlerContext } from '../../shared/runner/handler';

/**
 * One chunk as the runner runs it, for tests that call handlers directly in a real transaction:
 * every message gets its own cause, log and emit, chunk-scoped objects are shared, and `end()`
 * flushes them as the runner does after the chunk's last handler. Counts the statements sent.
 */
export class TestChunk {
  readonly emitted: { record: string; orderId: string; payload: Record<string, unknown> }[] = [];
  readonly statements: string[] = [];
  private readonly scoped = new Map<string, ChunkFlush>();
  private readonly count = (q: { sql: string }) => this.statements.push(q.sql);

  constructor(private readonly trx: Knex.Transaction, private readonly chunkOrderIds: string[]) {
    trx.on('query', this.count);
  }

  context(message: { eventId: string; orderId: string; type: string }): HandlerContext {
    const quiet = () => undefined;
    return {
      trx: this.trx,
      cause: { eventId: message.eventId, type: message.type },
      log: { warn: quiet, info: quiet, debug: quiet, error: quiet },
      chunkOrderIds: this.chunkOrderIds,
      chunkScoped: <T extends ChunkFlush>(key: string, create: () => T): T => {
        if (!this.scoped.has(key)) this.scoped.set(key, create());
        return this.scoped.get(key) as T;
      },
      emit: async (record: string, payload: Record<string, unknown>) => void this.emitted.push({ record, orderId: message.orderId, payload }),
    } as unknown as HandlerContext;
  }

  /** Statements sent while `fn` runs. */
  async statementsOf(fn: () => Promise<unknown>): Promise<number> {
    const before = this.statements.length;
    await fn();
    return this.statements.length - before;
  }

  async end(): Promise<void> {
    for (const batch of this.scoped.values()) await batch.flush();
    this.trx.off('query', this.count);
  }
}
