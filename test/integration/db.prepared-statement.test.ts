import { randomUUID } from 'crypto';
import { createDb, type Db } from '../../shared/db/knex';
import { preparedRows } from '../../shared/db/prepared-statement';
import { pipelinedTransaction } from '../../shared/db/pipelined-transaction';
import { TEST_DATABASE_URL } from '../support/env';

/** The runner's and handlers' statements, sent on the pg connection past knex's builder: same rows, same transactions, same errors. */
describe('preparedRows (named prepared statements on the pg connection)', () => {
  let db: Db;
  const preparedOnThisConnection = (trx: Db) =>
    preparedRows<{ name: string; statement: string }>(trx, 'test_prepared_here', 'SELECT name, statement FROM pg_prepared_statements WHERE name LIKE ? ORDER BY name', ['oms_test_%']);

  beforeAll(() => {
    db = createDb({ DATABASE_URL: TEST_DATABASE_URL, DATABASE_POOL_MAX: 2 }, 'prepared-statement-test');
  });
  afterAll(async () => {
    await db.raw('DROP TABLE IF EXISTS prepared_statement_test');
    await db.destroy();
  });

  it('binds named values, once per key however often the text uses it, next to ::casts, and prepares the statement under oms_<name>', async () => {
    const ids = [randomUUID(), randomUUID()];
    await db.transaction(async (trx) => {
      const rows = await preparedRows<{ id: string; again: string; at: Date }>(trx, 'test_named',
        'SELECT i.id, j.id AS again, :at::timestamptz AS at FROM unnest(:ids::uuid[]) AS i(id) JOIN unnest(:ids::uuid[]) AS j(id) ON i.id = j.id ORDER BY i.id',
        { ids, at: new Date('2026-11-27T10:30:00Z') },
      );
      expect(rows).toEqual([...ids].sort().map((id) => ({ id, again: id, at: new Date('2026-11-27T10:30:00Z') })));
      expect(await preparedOnThisConnection(trx)).toEqual(expect.arrayContaining([{
        name: 'oms_test_named',
        statement: 'SELECT i.id, j.id AS again, $1::timestamptz AS at FROM unnest($2::uuid[]) AS i(id) JOIN unnest($2::uuid[]) AS j(id) ON i.id = j.id ORDER BY i.id',
      }]));
    });
  });

  it('binds positional values and leaves a literal "::" or ":word" that is no binding as it is', async () => {
    const rows = await preparedRows<{ a: number; b: string; t: string }>(db, 'test_positional', "SELECT ?::int AS a, ?::text AS b, '10:30:00'::time::text AS t", [7, 'x']);
    expect(rows).toEqual([{ a: 7, b: 'x', t: '10:30:00' }]);
  });

  it('runs inside the transaction: a rollback undoes it, and other connections do not see it before the commit', async () => {
    const key = `prepared-${randomUUID()}`;
    await db.raw('CREATE TABLE IF NOT EXISTS prepared_statement_test (key text PRIMARY KEY)');
    const insert = (trx: Db) => preparedRows(trx, 'test_insert', 'INSERT INTO prepared_statement_test (key) VALUES (:key)', { key });
    const count = async () => Number((await db('prepared_statement_test').where({ key }).count<{ count: string }[]>('* as count'))[0]!.count);

    await expect(db.transaction(async (trx) => {
      await insert(trx);
      expect(await count()).toBe(0);
      throw new Error('roll back');
    })).rejects.toThrow('roll back');
    expect(await count()).toBe(0);

    await db.transaction((trx) => insert(trx));
    expect(await count()).toBe(1);
  });

  it('fails with the database error and its SQLSTATE (as errors.ts classifies them), and the transaction can still roll back', async () => {
    await expect(db.transaction((trx) => preparedRows(trx, 'test_missing_table', 'SELECT x FROM prepared_statement_no_such_table WHERE x = :x', { x: 1 })))
      .rejects.toMatchObject({ code: '42P01', message: expect.stringContaining('prepared_statement_no_such_table') });
    // the pooled connections are still usable
    expect(await preparedRows<{ one: number }>(db, 'test_one', 'SELECT :one::int AS one', { one: 1 })).toEqual([{ one: 1 }]);
  });

  it('refuses a value missing from the bindings, and a statement on a transaction that has ended', async () => {
    await expect(preparedRows(db, 'test_absent', 'SELECT :a::int AS a, :b::int AS b', { a: 1, b: undefined })).rejects.toThrow('no value for :b');
    const ended = await db.transaction(async (trx) => trx);
    await expect(preparedRows(ended, 'test_after_end', 'SELECT 1 AS one', [])).rejects.toThrow(/transaction has already ended/);
  });

  it('lets knex query listeners see each statement (tests count a chunk\'s statements that way)', async () => {
    const seen: string[] = [];
    await db.transaction(async (trx) => {
      trx.on('query', (q: { sql: string }) => seen.push(q.sql));
      await preparedRows(trx, 'test_seen', 'SELECT :n::int AS n', { n: 3 });
    });
    expect(seen).toEqual(expect.arrayContaining(['SELECT $1::int AS n']));
  });

  it('when DATABASE_NAMED_STATEMENTS is false, then the same statements run unnamed, in the transaction, and nothing is prepared on the connection', async () => {
    const unnamed = createDb({ DATABASE_URL: TEST_DATABASE_URL, DATABASE_POOL_MAX: 1, DATABASE_NAMED_STATEMENTS: false }, 'prepared-statement-unnamed-test');
    try {
      await unnamed.transaction(async (trx) => {
        for (const n of [1, 2]) expect(await preparedRows(trx, 'test_unnamed', 'SELECT :n::int AS n', { n })).toEqual([{ n }]);
        expect(await preparedOnThisConnection(trx)).toEqual([]);
      }, pipelinedTransaction(null));
    } finally {
      await unnamed.destroy();
    }
  });
});
