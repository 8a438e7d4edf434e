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

type Callback = (err: Error | null, result?: QueryResult) => void;

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
  _results: QueryResult | QueryResult[];
  _canceledDueToError: Error | false;
  hasBeenParsed(connection: ProtocolConnection): boolean;
  handleError(err: Error, connection: ProtocolConnection): void;
}

const { Query } = require('pg') as { Query: typeof PgQuery };
const { prepareValue } = require('pg/lib/utils') as { prepareValue(value: unknown): unknown };

/** The statements a PipelinedQuery sends around its own, each without parameters. */
export interface AroundStatements {
  before: readonly string[];
  after: readonly string[];
}

/**
 * One statement with parameters plus fixed statements before and after it (BEGIN, SET LOCAL ROLE,
 * COMMIT), written to the socket at once and answered by one ReadyForQuery: one round trip where
 * pg sends one each. The protocol stops at the first error until the Sync, so an after-statement
 * runs only if everything before it succeeded. The callback gets the main statement's result.
 *
 * The values are serialized before anything is written: one that cannot be (a client-side error,
 * which pg reports without the server ever seeing the statement) fails the query with nothing sent.
 */
export class PipelinedQuery extends Query {
  private mappedValues: unknown[] = [];

  constructor(config: object, private readonly around: AroundStatements, callback: Callback, private readonly onUnsent: () => void) {
    super(config, undefined, callback);
    // the main statement's result is the one after the before-statements' (one result each)
    const reply = callback;
    this.callback = (err, result) => {
      if (err) return reply(err);
      const results = Array.isArray(result) ? (result as QueryResult[]) : [result!];
      const last = results[results.length - 1]!;
      if (around.after.includes('COMMIT') && last.command !== 'COMMIT') {
        return reply(new Error(`the transaction did not commit (the server answered ${last.command})`));
      }
      return reply(null, results[around.before.length]);
    };
  }

  submit(connection: ProtocolConnection): Error | null {
    const previous = this.name ? connection.parsedStatements[this.name] ?? connection.submittedNamedStatements[this.name] : undefined;
    if (previous !== undefined && this.text !== previous) {
      this.onUnsent();
      return new Error(`Prepared statements must be unique - '${this.name}' was used for a different statement`);
    }
    try {
      this.mappedValues = (this.values ?? []).map((v) => prepareValue(v));
    } catch (err) {
      this.onUnsent();
      return err as Error;
    }
    connection.stream.cork?.();
    try {
      this.writeMessages(connection);
    } finally {
      connection.stream.uncork?.();
      this.mappedValues = []; // written: an outbox row's bytes are not held until the reply
    }
    return null;
  }

  private writeMessages(connection: ProtocolConnection): void {
    const named = Boolean(this.name);
    // a named statement is parsed ahead of the BEGIN: pg marks a statement parsed at the first
    // ParseComplete of its query, and a failed parse must not leave it marked on this connection
    if (named && !this.hasBeenParsed(connection)) this.parseMain(connection);
    for (const text of this.around.before) this.runFixed(connection, text);
    // an unnamed statement is parsed after them: each fixed statement replaces the unnamed one
    if (!named) this.parseMain(connection);
    connection.bind({ portal: this.portal, statement: this.name ?? '', values: this.mappedValues, binary: this.binary });
    connection.describe({ type: 'P', name: this.portal });
    connection.execute({ portal: this.portal, rows: 0 });
    for (const text of this.around.after) this.runFixed(connection, text);
    connection.sync();
  }

  private parseMain(connection: ProtocolConnection): void {
    connection.parse({ text: this.text, name: this.name ?? '', types: this.types });
    if (this.name) connection.submittedNamedStatements[this.name] = this.text;
  }

  private runFixed(connection: ProtocolConnection, text: string): void {
    connection.parse({ text, name: '', types: [] });
    connection.bind({ portal: '', statement: '', values: [] });
    connection.execute({ portal: '', rows: 0 });
  }
}
