import type { Knex } from 'knex';
import { commitAfter, queueStatement } from './pipelined-transaction';

/** A statement's text as Postgres takes it ($1, $2, …) and, for named bindings, the key of each parameter. */
interface CompiledStatement {
  text: string;
  keys: string[] | null;
}

type Bindings = Readonly<Record<string, unknown>> | readonly unknown[];

/** The pg connection as this module uses it: `query` with a named statement returns a promise. */
interface PgConnection {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/** The knex config's own setting (DATABASE_NAMED_STATEMENTS): false sends preparedRows' statements unnamed. */
export interface NamedStatementsConfig {
  namedStatements?: boolean;
}

/** What this module needs of a knex client: a transaction's always hands out its own connection. */
interface KnexClient {
  config: NamedStatementsConfig;
  transacting?: boolean;
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<unknown>;
  emit(event: 'query', query: { sql: string; bindings: unknown[]; method: 'raw'; options: { name: string } }): boolean;
}

const compiled = new Map<string, CompiledStatement>();

// knex's own pattern for raw bindings: `:name`, not a `::type` cast, not an escaped `\:name`
const NAMED = /\\?(:(\w+):(?=::)|:(\w+):(?!:)|:(\w+))/g;
const POSITIONAL = /(\\*)\?(\?)?/g;

/**
 * Turns knex raw syntax (`:name` with an object of bindings, or `?` with an array) into Postgres's
 * `$n`, once per statement text. A `:word` that is not a key of the first call's bindings stays as
 * it is, as in knex (a `::cast`, a time in a literal); unlike knex, a key used twice is one parameter.
 */
function compile(sql: string, bindings: Bindings): CompiledStatement {
  const known = compiled.get(sql);
  if (known) return known;
  let statement: CompiledStatement;
  if (Array.isArray(bindings)) {
    let n = 0;
    // as knex's Postgres client positions them: an escaped `\\?` is a literal question mark
    const text = sql.replace(POSITIONAL, (match: string, escapes: string, identifier?: string) => {
      if (identifier) throw new Error(`identifier bindings (??) are not supported in prepared statements: ${sql}`);
      return escapes.length % 2 ? '?' : `$${++n}`;
    });
    statement = { text, keys: null };
    if (n !== bindings.length) throw new Error(`expected ${n} bindings, got ${bindings.length}: ${sql}`);
  } else {
    const keys: string[] = [];
    const text = sql.replace(NAMED, (match: string, whole: string, identifierBeforeCast?: string, identifier?: string, value?: string) => {
      if (match !== whole) return whole; // escaped
      const key = (identifierBeforeCast ?? identifier ?? value)!;
      if (!Object.prototype.hasOwnProperty.call(bindings, key)) return match;
      if (value === undefined) throw new Error(`identifier bindings (:${key}:) are not supported in prepared statements: ${sql}`);
      // a key used twice is one parameter: its value (often a whole chunk's order ids) is sent once
      const known = keys.indexOf(key);
      if (known >= 0) return `$${known + 1}`;
      keys.push(key);
      return `$${keys.length}`;
    });
    statement = { text, keys };
  }
  compiled.set(sql, statement);
  return statement;
}

function valuesOf(statement: CompiledStatement, bindings: Bindings, name: string): unknown[] {
  if (statement.keys === null) return bindings as unknown[];
  const named = bindings as Readonly<Record<string, unknown>>;
  return statement.keys.map((key) => {
    const value = named[key];
    if (value === undefined) throw new Error(`prepared statement ${name}: no value for :${key}`);
    return value;
  });
}

/**
 * Runs `sql` as the named prepared statement `oms_<name>` on `db`'s connection (a transaction's
 * own, or one from the pool) and returns its rows: each pooled connection parses and plans it
 * once, then only binds and executes it. For the saga's per-message statements: planning was
 * about a quarter of their database time, and going past knex's query builder and runner to the
 * pg connection saves about a third of the client CPU of each (README Benchmark). Listeners of
 * knex's `query` event still see every statement.
 *
 * The text must be the same on every call under one name (fixed columns, no variable-length IN
 * lists or multi-row VALUES: pass arrays and unnest them), and it must name its columns: a
 * `select *` would fail once a migration changed the table.
 *
 * `{ commit: true }` on a pipelined transaction (transactAs) sends its COMMIT with the statement:
 * the transaction's last statement, after which it runs no other.
 *
 * With `namedStatements: false` in the knex config (DATABASE_NAMED_STATEMENTS) the statement is
 * sent unnamed, parsed and planned each time, for poolers that do not keep prepared statements.
 */
export async function preparedRows<Row>(db: Knex | Knex.Transaction, name: string, sql: string, bindings: Bindings, options: { commit?: boolean } = {}): Promise<Row[]> {
  const statement = compile(sql, bindings);
  const values = valuesOf(statement, bindings, name);
  const client = (db as unknown as { client: KnexClient }).client;
  const trx = client.transacting ? (db as Knex.Transaction) : null;
  if (options.commit && !trx) throw new Error(`prepared statement ${name}: commit needs a transaction`);
  // knex refuses a statement on a finished transaction; so does this (it would otherwise run on a pooled connection's next owner)
  if (trx?.isCompleted()) throw new Error(`prepared statement ${name}: the transaction has already ended`);
  const qualifiedName = `oms_${name}`;
  client.emit('query', { sql: statement.text, bindings: values, method: 'raw', options: { name: qualifiedName } });
  const connection = await client.acquireConnection();
  try {
    // unnamed (DATABASE_NAMED_STATEMENTS=false): parsed each time, on whatever server connection a pooler gives
    const config = client.config.namedStatements === false ? { text: statement.text, values } : { name: qualifiedName, text: statement.text, values };
    const { rows } = await connection.query(options.commit ? commitAfter(config) : config);
    return rows as Row[];
  } finally {
    if (!trx) await client.releaseConnection(connection);
  }
}

/** A statement as preparedRows takes it. */
export interface PreparedStatement {
  name: string;
  sql: string;
  bindings: Bindings;
}

/**
 * Queues `statement` for the transaction's next statement to carry (queueStatement), its rows to
 * `onRows` if given: parsed each time it is sent instead of once per connection. Outside a
 * pipelined transaction it runs at once as the prepared statement of preparedRows.
 */
async function queuePrepared(trx: Knex.Transaction, { name, sql, bindings }: PreparedStatement, onRows?: (rows: unknown[]) => void): Promise<void> {
  const statement = compile(sql, bindings);
  await queueStatement(trx, { text: statement.text, values: valuesOf(statement, bindings, name), onRows }, async () => {
    const rows = await preparedRows(trx, name, sql, bindings);
    onRows?.(rows);
  });
}

/** A write in preparedRows' syntax, queued for the transaction's next statement to carry (queueWrite): one round trip fewer. */
export async function queuePreparedWrite(trx: Knex.Transaction, name: string, sql: string, bindings: Bindings): Promise<void> {
  await queuePrepared(trx, { name, sql, bindings });
}

/**
 * A read queued for the transaction's next statement to carry (a lock, or what a lock guards, that
 * the next statement must run after): `onRows` gets its rows once that round trip succeeds. Parsed
 * each time it is sent. Outside a pipelined transaction it runs at once.
 */
export async function queuePreparedRead<Row>(trx: Knex.Transaction, statement: PreparedStatement, onRows: (rows: Row[]) => void): Promise<void> {
  await queuePrepared(trx, statement, onRows as (rows: unknown[]) => void);
}

/**
 * Two reads in one round trip on a pipelined transaction: `first` is carried by `second`, so it
 * runs first (a lock, then what the lock guards) and is parsed each time it is sent; `second` is
 * the prepared statement of preparedRows. Elsewhere they run one after the other.
 */
export async function preparedRowsPair<A, B>(trx: Knex.Transaction, first: PreparedStatement, second: PreparedStatement): Promise<[A[], B[]]> {
  let firstRows: A[] = [];
  await queuePreparedRead<A>(trx, first, (rows) => (firstRows = rows));
  const secondRows = await preparedRows<B>(trx, second.name, second.sql, second.bindings);
  return [firstRows, secondRows];
}
