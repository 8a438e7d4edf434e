/**
 * Typed errors: the consumer runner decides retry, dead-letter or crash from `retriable` and
 * nowhere else. Handlers throw these (or let infrastructure errors through, which the runner
 * classifies with `classifyError`).
 */
export const ERROR_CODES = [
  'undecodable',        // bytes are not Confluent-framed Avro
  'unknown_schema',     // schema id the registry does not know
  'unexpected_record',  // a record type this topic does not carry
  'invalid_payload',    // decoded, but the content can never be processed
  'database_unavailable',
  'database_misconfigured', // a table, column, function or privilege the code needs is missing: a deploy, not a message
  'broker_unavailable',
  'registry_unavailable',
  'registry_misconfigured', // a subject missing, or configured otherwise than provisioning registers it: an operator's setting, never overridden
  'gateway_timeout',
  'conflict',           // a concurrent writer won; run the message again
  'shutting_down',
  'handler_failed',     // an error the runner could not classify
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class OmsError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OmsError';
  }
}

export const permanent = (code: ErrorCode, message: string, cause?: unknown) => new OmsError(code, message, false, { cause });
export const transient = (code: ErrorCode, message: string, cause?: unknown) => new OmsError(code, message, true, { cause });

// SQLSTATE classes that succeed when run again: connection exceptions, serialization failures,
// deadlocks, operator intervention (admin shutdown, crash recovery), insufficient resources.
const RETRIABLE_SQLSTATE = /^(08|40|53|57P0[1-4])/;
// The database does not match the code: a migration not yet applied, a grant missing. Every message
// would fail the same way, so none is at fault: dead-lettering would empty the topic into the DLQ.
// The partition waits (retried with back-off, logged) until an operator migrates or grants.
const LOST_PREPARED_STATEMENT_HINT = 'named prepared statements were lost between statements: behind a connection pooler in transaction mode (PgBouncer before 1.21, or without max_prepared_statements) set DATABASE_NAMED_STATEMENTS=false (README How to operate)';
const MISCONFIGURED_SQLSTATE = new Map<string, string | null>([
  ['42P01', null], // undefined_table
  ['42703', null], // undefined_column
  ['42883', null], // undefined_function
  ['42501', null], // insufficient_privilege
  ['3F000', null], // invalid_schema_name
  // a named prepared statement missing on the server, or already there, when the connection knows
  // otherwise: its statements reached another server connection than the one that prepared them
  ['26000', LOST_PREPARED_STATEMENT_HINT], // invalid_sql_statement_name
  ['42P05', LOST_PREPARED_STATEMENT_HINT], // duplicate_prepared_statement
]);
const RETRIABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/** Turns any thrown value into an OmsError; unknown errors become `handler_failed` (unclassified). */
export function classifyError(err: unknown): OmsError {
  if (err instanceof OmsError) return err;
  const e = err as { code?: unknown; message?: unknown; name?: unknown; retriable?: unknown };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (code && RETRIABLE_SQLSTATE.test(code)) return transient('database_unavailable', message, err);
  if (code && MISCONFIGURED_SQLSTATE.has(code)) {
    const hint = MISCONFIGURED_SQLSTATE.get(code);
    return transient('database_misconfigured', hint ? `${message}: ${hint}` : message, err);
  }
  if (code && RETRIABLE_NODE_CODES.has(code)) return transient('database_unavailable', message, err);
  if (/Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message)) {
    return transient('database_unavailable', message, err);
  }
  // every pooled connection busy for acquireConnectionTimeout: the database is slow, the message is fine
  if (e?.name === 'KnexTimeoutError') return transient('database_unavailable', message, err);
  if (typeof e?.name === 'string' && e.name.startsWith('KafkaJS')) return transient('broker_unavailable', message, err);
  return new OmsError('handler_failed', message, false, { cause: err });
}
