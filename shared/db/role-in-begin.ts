/* eslint-disable @typescript-eslint/no-require-imports */
import type { Knex } from 'knex';

// knex's own Postgres dialect and its transaction class: not in knex's typings, so required by path.
const PgClient = require('knex/lib/dialects/postgres') as typeof Knex.Client;
const PgTransaction = require('knex/lib/dialects/postgres/execution/pg-transaction') as new (...args: unknown[]) => {
  client: { wrapIdentifierImpl(name: string): string };
  _evaluateContainer(config: unknown, container: unknown): Promise<unknown>;
  begin(conn: unknown): Promise<unknown>;
  query(conn: unknown, sql: string): Promise<unknown>;
};

/**
 * A transaction opened with `{ role }` sends `BEGIN; SET LOCAL ROLE <role>;` as one simple query.
 * Every write to a loopback socket cost about as much CPU as a small statement here (README
 * Benchmark), and the role statement was one more round trip on every transaction of the saga.
 */
class RoleInBeginTransaction extends PgTransaction {
  private role: string | undefined;

  // knex calls this with the transaction's config before it begins; the role rides in that config
  override _evaluateContainer(config: { role?: string }, container: unknown): Promise<unknown> {
    this.role = config?.role;
    return super._evaluateContainer(config, container);
  }

  override begin(conn: unknown): Promise<unknown> {
    // the role goes into the statement text (SET takes no parameters), quoted as knex quotes `??`
    return this.role ? this.query(conn, `BEGIN; SET LOCAL ROLE ${this.client.wrapIdentifierImpl(this.role)};`) : super.begin(conn);
  }
}

/** knex's Postgres client whose top-level transactions honour `{ role }` (see RoleInBeginTransaction). */
export class RoleInBeginPgClient extends PgClient {
  override transaction(container: unknown, config: unknown, outerTx: unknown): Knex.Transaction {
    return new RoleInBeginTransaction(this, container, config, outerTx) as unknown as Knex.Transaction;
  }
}
