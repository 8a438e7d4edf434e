/* eslint-disable @typescript-eslint/no-require-imports */
import type { QueryResult } from 'pg';

/** What of pg's connection (its protocol writer) a query uses while it submits. */
interface ProtocolConnection {
  stream: { cork?(): void; uncork?(): void };
  parsedStatements: Record<string, string>;
  submittedNamedStatements: Record<string, string>;
  parse(msg: { text: string; name: string; types?: unknown[] }): void;
  bind(msg: { portal: string; statement: string; values: unknown[]; binary?: boolean }): void;
  describe(msg: { type: 'P'; name: string }): void;
  execute(msg: { portal: string; rows: number }): void;
  sync(): void;
}

export type Callback = (err: Error | null, result?: QueryResult) => void;

/** pg's own query class, as far as this module extends it. */
declare class PgQuery {
  constructor(config: object, values?: unknown, callback?: Callback);
  text: string;
  name?: string;
  types?: unknown[];
  values?: unknown[];
  binary?: boolean;
  portal: string;
  callback?: Callback;
  hasBeenParsed(connection: ProtocolConnection): boolean;
  submit(connection: ProtocolConnection): Error | null;
}

const { Query } = require('pg') as { Query: typeof PgQuery };
const { prepareValue } = require('pg/lib/utils') as { prepareValue(value: unknown): unknown };

/** What a PipelinedQuery sends around its statement: the transaction's BEGIN statements, and whether its COMMIT follows. */
export interface AroundStatement {
  begin: readonly string[];
  commit: boolean;
}

/**
 * One statement with parameters plus the transaction's BEGIN statements before it (BEGIN, SET
 * LOCAL ROLE) and its COMMIT after it, written to the socket at once and answered by one
 * ReadyForQuery: one round trip where pg sends one each. The protocol stops at the first error
 * until the Sync, so the COMMIT runs only if everything before it succeeded. The callback gets the
 * statement's own result.
 *
 * The values are serialized before anything is written: one that cannot be (a client-side error,
 * which pg reports without the server ever seeing the statement) fails the query with nothing sent.
 */
export class PipelinedQuery extends Query {
  private mappedValues: unknown[] = [];

  constructor(config: object, private readonly around: AroundStatement, callback: Callback, private readonly onUnsent: () => void) {
    super(config, undefined, callback);
    // one result per statement sent: the BEGIN statements', the statement's own, the COMMIT's
    this.callback = (err, result) => {
      if (err) return callback(err);
      const results = Array.isArray(result) ? (result as QueryResult[]) : [result!];
      const last = results[results.length - 1]!;
      if (around.commit && last.command !== 'COMMIT') return callback(new Error(`the transaction did not commit (the server answered ${last.command})`));
      return callback(null, results[around.begin.length]);
    };
  }

  // the extended protocol whatever the statement: only it lets several statements share one Sync
  requiresPreparation(): boolean {
    return true;
  }

  override submit(connection: ProtocolConnection): Error | null {
    try {
      this.mappedValues = (this.values ?? []).map((v) => prepareValue(v));
    } catch (err) {
      this.onUnsent();
      return err as Error;
    }
    // pg's checks, then prepare() below, corked into one write
    const refused = super.submit(connection);
    this.mappedValues = []; // written: an outbox row's bytes are not held until the reply
    if (refused) this.onUnsent();
    return refused;
  }

  prepare(connection: ProtocolConnection): void {
    const named = Boolean(this.name);
    // a named statement is parsed ahead of the BEGIN: pg marks a statement parsed at the first
    // ParseComplete of its query, and a failed parse must not leave it marked on this connection
    if (named && !this.hasBeenParsed(connection)) this.parseStatement(connection);
    for (const text of this.around.begin) this.runFixed(connection, text);
    // an unnamed statement is parsed after them: each fixed statement replaces the unnamed one
    if (!named) this.parseStatement(connection);
    connection.bind({ portal: this.portal, statement: this.name ?? '', values: this.mappedValues, binary: this.binary });
    connection.describe({ type: 'P', name: this.portal });
    connection.execute({ portal: this.portal, rows: 0 });
    if (this.around.commit) this.runFixed(connection, 'COMMIT');
    connection.sync();
  }

  private parseStatement(connection: ProtocolConnection): void {
    connection.parse({ text: this.text, name: this.name ?? '', types: this.types });
    if (this.name) connection.submittedNamedStatements[this.name] = this.text;
  }

  private runFixed(connection: ProtocolConnection, text: string): void {
    connection.parse({ text, name: '', types: [] });
    connection.bind({ portal: '', statement: '', values: [] });
    connection.execute({ portal: '', rows: 0 });
  }
}
