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

/** A statement written ahead of a PipelinedQuery's own: fixed text (BEGIN, SET LOCAL ROLE), or a queued one with its values. */
export interface CarriedStatement {
  text: string;
  values?: readonly unknown[];
  /** Given the statement's rows when the round trip succeeds; without it, its rows are not even described. */
  onRows?: (rows: unknown[]) => void;
}

/** What a PipelinedQuery sends around its statement: the statements before it, and whether the transaction's COMMIT follows. */
export interface AroundStatement {
  before: readonly CarriedStatement[];
  commit: boolean;
}

/**
 * One statement with parameters plus the statements carried before it (the transaction's BEGIN
 * and SET LOCAL ROLE, statements queued by queueWrite or preparedRowsPair) and its COMMIT after it, written to the socket
 * at once and answered by one ReadyForQuery: one round trip where pg sends one each. The protocol
 * stops at the first error until the Sync, so nothing after a failed statement runs, the COMMIT
 * included. The callback gets the statement's own result, or the first error of any of them.
 *
 * All values are serialized before anything is written: one that cannot be (a client-side error,
 * which pg reports without the server ever seeing the statement) fails the query with nothing sent.
 */
export class PipelinedQuery extends Query {
  private mappedValues: unknown[] = [];
  private mappedBefore: unknown[][] = [];

  constructor(config: object, private readonly around: AroundStatement, callback: Callback, private readonly onUnsent: () => void) {
    super(config, undefined, callback);
    // one result per statement sent: those carried before it, the statement's own, the COMMIT's
    this.callback = (err, result) => {
      if (err) return callback(err);
      const results = Array.isArray(result) ? (result as QueryResult[]) : [result!];
      const last = results[results.length - 1]!;
      if (around.commit && last.command !== 'COMMIT') return callback(new Error(`the transaction did not commit (the server answered ${last.command})`));
      around.before.forEach((s, i) => s.onRows?.(results[i]!.rows));
      return callback(null, results[around.before.length]);
    };
  }

  /** The texts of the statements it carries, for a census of what was sent (bench/query-census.js). */
  get carriedTexts(): string[] {
    return this.around.before.map((s) => s.text);
  }

  // the extended protocol whatever the statement: only it lets several statements share one Sync
  requiresPreparation(): boolean {
    return true;
  }

  override submit(connection: ProtocolConnection): Error | null {
    try {
      this.mappedBefore = this.around.before.map((s) => (s.values ?? []).map((v) => prepareValue(v)));
      this.mappedValues = (this.values ?? []).map((v) => prepareValue(v));
    } catch (err) {
      this.onUnsent();
      return err as Error;
    }
    // pg's checks, then prepare() below, corked into one write
    const refused = super.submit(connection);
    // written: an outbox row's bytes are not held until the reply
    this.mappedValues = [];
    this.mappedBefore = [];
    if (refused) this.onUnsent();
    return refused;
  }

  prepare(connection: ProtocolConnection): void {
    const named = Boolean(this.name);
    // a named statement is parsed ahead of the others: pg marks a statement parsed at the first
    // ParseComplete of its query, and a failed parse must not leave it marked on this connection
    if (named && !this.hasBeenParsed(connection)) this.parseStatement(connection);
    this.around.before.forEach((s, i) => this.runCarried(connection, s.text, this.mappedBefore[i]!, Boolean(s.onRows)));
    // an unnamed statement is parsed after them: each carried statement replaces the unnamed one
    if (!named) this.parseStatement(connection);
    connection.bind({ portal: this.portal, statement: this.name ?? '', values: this.mappedValues, binary: this.binary });
    connection.describe({ type: 'P', name: this.portal });
    connection.execute({ portal: this.portal, rows: 0 });
    if (this.around.commit) this.runCarried(connection, 'COMMIT', [], false);
    connection.sync();
  }

  private parseStatement(connection: ProtocolConnection): void {
    connection.parse({ text: this.text, name: this.name ?? '', types: this.types });
    if (this.name) connection.submittedNamedStatements[this.name] = this.text;
  }

  // Describe only for rows that are wanted: without the row description pg could not parse them
  private runCarried(connection: ProtocolConnection, text: string, values: unknown[], describe: boolean): void {
    connection.parse({ text, name: '', types: [] });
    connection.bind({ portal: '', statement: '', values });
    if (describe) connection.describe({ type: 'P', name: '' });
    connection.execute({ portal: '', rows: 0 });
  }
}
