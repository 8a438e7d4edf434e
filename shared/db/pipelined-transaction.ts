/* eslint-disable @typescript-eslint/no-require-imports */
import type { Knex } from 'knex';
import type { QueryResult } from 'pg';
import { type Callback, type CarriedStatement, PipelinedQuery } from './pipelined-query';

// knex's own Postgres dialect and its transaction class: not in knex's typings, so required by path.
declare class KnexPgDialect extends Knex.Client {
  // the dialect's own (a new pg client, connected), below its typed acquireRawConnection
  _acquireOnlyConnection(): Promise<PgConnection>;
}
const PgClient = require('knex/lib/dialects/postgres') as typeof KnexPgDialect;
const PgTransaction = require('knex/lib/dialects/postgres/execution/pg-transaction') as new (...args: unknown[]) => {
  client: { wrapIdentifierImpl(name: string): string };
  isolationLevel?: string;
  readOnly?: boolean;
  doNotRejectOnRollback?: boolean;
  _completed: boolean;
  _resolver(value?: unknown): void;
  _rejecter(error: unknown): void;
  _evaluateContainer(config: unknown, container: unknown): Promise<unknown>;
  begin(conn: unknown): Promise<unknown>;
  commit(conn: unknown, value?: unknown): Promise<unknown>;
  rollback(conn: unknown, error?: unknown): Promise<unknown>;
};

type QueryMethod = (config: unknown, values?: unknown, callback?: unknown) => unknown;
interface PgConnection {
  query: QueryMethod;
}

/** A transaction's statements that wait on its connection for the next one to carry them. */
interface PipelineState {
  /** BEGIN (and SET LOCAL ROLE) until the first statement carries them; null once sent. */
  pendingBegin: string[] | null;
  /** Statements queued since the last one sent (queueWrite, queuePreparedWrite, preparedRowsPair). */
  queued: CarriedStatement[];
  committed: boolean;
}

/** What the next statement carries, in order: the BEGIN statements not yet sent, then the queued statements. */
function takeCarried(state: PipelineState): { carried: CarriedStatement[]; putBack: () => void } {
  const begin = state.pendingBegin;
  const queued = state.queued;
  state.pendingBegin = null;
  state.queued = [];
  const carried = [...(begin ?? []).map((text) => ({ text })), ...queued];
  // nothing was sent (pg refused a value before writing): they wait for the next statement
  const putBack = () => {
    state.pendingBegin = begin;
    state.queued = [...queued, ...state.queued];
  };
  return { carried, putBack };
}

const states = new WeakMap<object, PipelineState>();
const COMMIT_AFTER = Symbol('commit after this statement');

/** Marks a query config so its statement and the transaction's COMMIT go in one round trip (see PipelinedPgClient). */
export function commitAfter<C extends object>(config: C): C {
  return Object.assign(config, { [COMMIT_AFTER]: true });
}

/** The transaction config of a pipelined transaction, with the role it runs as (or none). */
export function pipelinedTransaction(role: string | null): Knex.TransactionConfig {
  return { pipelined: true, ...(role ? { role } : {}) } as Knex.TransactionConfig;
}

/** A statement the pipeline can carry: the extended protocol, so one statement, with parameters or a name. */
function pipelinable(config: unknown): config is { text: string; name?: string; values?: unknown[] } {
  if (typeof config !== 'object' || config === null) return false;
  const c = config as { text?: unknown; name?: unknown; values?: unknown; submit?: unknown; rows?: unknown };
  return typeof c.text === 'string' && typeof c.submit !== 'function' && !c.rows && (Boolean(c.name) || (Array.isArray(c.values) && c.values.length > 0));
}

/** Calls pg's query as its caller did: with a callback, or for a promise. */
function withCallback(callback: unknown, run: (done: Callback) => void): Promise<QueryResult> | undefined {
  if (typeof callback === 'function') {
    run(callback as Callback);
    return undefined;
  }
  return new Promise((resolve, reject) => run((err, result) => (err ? reject(err) : resolve(result!))));
}

/**
 * Every statement of a pipelined transaction goes through here (pg's `query` on the connection):
 * the next one carries the deferred BEGIN and the queued writes, a statement marked with
 * commitAfter carries the COMMIT, and none may run once the transaction has committed (it would
 * run outside any transaction).
 */
function pipelinedQueryMethod(connection: PgConnection, original: QueryMethod): QueryMethod {
  return function query(this: PgConnection, config: unknown, values?: unknown, callback?: unknown): unknown {
    const state = states.get(connection);
    const commit = typeof config === 'object' && config !== null && COMMIT_AFTER in config;
    const cb = typeof values === 'function' ? values : callback;
    if (state?.committed) {
      return withCallback(cb, (done) => process.nextTick(() => done(new Error('a statement after its transaction committed with its last statement'))));
    }
    if (!state || (!state.pendingBegin && state.queued.length === 0 && !commit)) return original.call(this, config, values, callback);
    if (commit && !pipelinable(config)) throw new Error('commitAfter needs a statement with parameters or a name');
    const { carried, putBack } = takeCarried(state);
    if (!pipelinable(config)) {
      // a simple-protocol statement (no parameters) cannot share the round trip: what it would carry goes first, alone
      return withCallback(cb, (done) => {
        sendCarried.call(this, original, carried, putBack, (err) => (err ? done(err) : original.call(this, config, typeof values === 'function' ? undefined : values, done)));
      });
    }
    return withCallback(cb, (done) => {
      const q = new PipelinedQuery(config, { before: carried, commit }, (err, result) => {
        if (!err && commit) state.committed = true;
        done(err, result);
      }, putBack);
      original.call(this, q);
    });
  };
}

/** Sends carried statements in one round trip of their own (the last of them as the statement, the rest before it); `done` gets the last one's result. */
function sendCarried(this: PgConnection, original: QueryMethod, carried: CarriedStatement[], putBack: () => void, done: Callback): void {
  if (carried.length === 0) return done(null);
  const last = carried[carried.length - 1]!;
  const lastDone: Callback = (err, result) => {
    if (!err) last.onRows?.(result!.rows);
    done(err, result);
  };
  original.call(this, new PipelinedQuery({ text: last.text, values: last.values ?? [] }, { before: carried.slice(0, -1), commit: false }, lastDone, putBack));
}

/**
 * Queues a write whose result its caller does not need (an insert or update without RETURNING):
 * it is sent with the transaction's next statement, or with its COMMIT, in the same round trip
 * and in the order queued, so every later statement sees it. Its error fails the statement that
 * carried it, and with it the transaction. Outside a pipelined transaction it runs at once.
 */
export async function queueWrite(trx: Knex.Transaction, write: Knex.QueryBuilder | Knex.Raw): Promise<void> {
  const { sql, bindings } = write.toSQL().toNative();
  await queueStatement(trx, { text: sql, values: bindings }, () => write);
}

/**
 * A statement in Postgres's syntax ($1, $2, …) queued for the next statement of a pipelined
 * transaction to carry (its rows, if wanted, to `onRows` when that round trip succeeds); outside
 * one `runNow` sends it at once. Parsed by the server each time it is sent: a carried statement is
 * never a named prepared one.
 */
export async function queueStatement(trx: Knex.Transaction, statement: CarriedStatement, runNow: () => PromiseLike<unknown>): Promise<void> {
  if (trx.isCompleted()) throw new Error('a queued statement: the transaction has already ended');
  const client = trx.client as unknown as { acquireConnection(): Promise<object>; emit(event: 'query', query: object): boolean };
  const state = states.get(await client.acquireConnection());
  if (!state) return void (await runNow());
  if (state.committed) throw new Error('a queued statement: the transaction has already committed');
  // listeners of knex's query event see it as they see every other statement
  client.emit('query', { sql: statement.text, bindings: statement.values, method: 'raw', options: { queued: true } });
  state.queued.push(statement);
}

/**
 * A transaction opened with pipelinedTransaction's config costs two round trips fewer than knex's:
 * its BEGIN (with `SET LOCAL ROLE <role>` when it has one) is written with its first statement,
 * and its last statement can carry the COMMIT (`commitAfter`), so knex's COMMIT is not sent. At
 * 250 orders/s a saga transaction made about six round trips, each a write and a wake-up on both
 * sides of a loopback socket and a wait for the event loop (README Benchmark). Any other
 * transaction (migrations, tests, tools) is knex's own.
 *
 * After a commit with the last statement, a rollback (the container threw later) can undo
 * nothing: the transaction rejects all the same, as its caller expects, and a retry of its
 * messages finds them in the inbox.
 */
class PipelinedTransaction extends PgTransaction {
  private role: string | undefined;
  private pipelined = false;

  // knex calls this with the transaction's config before it begins
  override _evaluateContainer(config: { role?: string; pipelined?: boolean }, container: unknown): Promise<unknown> {
    this.role = config?.role;
    this.pipelined = config?.pipelined === true;
    return super._evaluateContainer(config, container);
  }

  private beginStatements(): string[] {
    const mode = [this.isolationLevel ? `ISOLATION LEVEL ${this.isolationLevel}` : '', this.readOnly ? 'READ ONLY' : ''].join(' ').trim();
    // the role goes into the statement text (SET takes no parameters), quoted as knex quotes `??`
    return [mode ? `BEGIN TRANSACTION ${mode}` : 'BEGIN', ...(this.role ? [`SET LOCAL ROLE ${this.client.wrapIdentifierImpl(this.role)}`] : [])];
  }

  override begin(conn: object): Promise<unknown> {
    if (!this.pipelined) return super.begin(conn);
    states.set(conn, { pendingBegin: this.beginStatements(), queued: [], committed: false });
    return Promise.resolve();
  }

  override commit(conn: object, value?: unknown): Promise<unknown> {
    const state = states.get(conn);
    states.delete(conn);
    // committed with the last statement, or nothing sent or queued at all: there is nothing to commit
    if (state && (state.committed || (state.pendingBegin && state.queued.length === 0))) return this.completeUnsent(value, false);
    if (state && state.queued.length > 0) return this.commitCarried(conn as PgConnection, state, value);
    return super.commit(conn, value);
  }

  /** Queued writes and the COMMIT in one round trip; after a failure the transaction is rolled back and rejects with it. */
  private commitCarried(conn: PgConnection, state: PipelineState, value: unknown): Promise<unknown> {
    const { carried } = takeCarried(state);
    // the state is gone from the connection, so its query is pg's own
    return new Promise<QueryResult>((resolve, reject) => {
      sendCarried.call(conn, conn.query, [...carried, { text: 'COMMIT' }], () => undefined, (err, result) => (err ? reject(err) : resolve(result!)));
    }).then(
      // the server ended it either way: a COMMIT on an aborted transaction answers ROLLBACK
      (result) => this.completeUnsent(result.command === 'COMMIT' ? value : new Error(`the transaction did not commit (the server answered ${result.command})`), result.command !== 'COMMIT'),
      // the server skipped the COMMIT after the failed write: the transaction is open and aborted
      (err: unknown) => super.rollback(conn, err),
    );
  }

  override rollback(conn: object, error?: unknown): Promise<unknown> {
    const state = states.get(conn);
    states.delete(conn);
    if (state && (state.committed || state.pendingBegin)) return this.completeUnsent(error, true);
    return super.rollback(conn, error);
  }

  /** Ends the transaction as knex's COMMIT or ROLLBACK would, without a statement to send. */
  private completeUnsent(value: unknown, rejected: boolean): Promise<unknown> {
    this._completed = true;
    if (!rejected) this._resolver(value);
    else if (value === undefined && this.doNotRejectOnRollback) this._resolver();
    else this._rejecter(value ?? new Error('Transaction rejected with non-error: undefined'));
    return Promise.resolve();
  }
}

/** knex's Postgres client whose transactions opened with pipelinedTransaction's config are pipelined (see PipelinedTransaction). */
export class PipelinedPgClient extends PgClient {
  override async _acquireOnlyConnection(): Promise<PgConnection> {
    const connection = await super._acquireOnlyConnection();
    connection.query = pipelinedQueryMethod(connection, connection.query);
    return connection;
  }

  // a connection goes back to the pool with nothing of a transaction waiting on it
  override releaseConnection(connection: object): Promise<unknown> {
    states.delete(connection);
    return super.releaseConnection(connection) as Promise<unknown>;
  }

  override transaction(container: unknown, config: unknown, outerTx: unknown): Knex.Transaction {
    return new PipelinedTransaction(this, container, config, outerTx) as unknown as Knex.Transaction;
  }
}
