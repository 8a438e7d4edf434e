import { randomUUID } from 'crypto';
import { createDb, transactAs, type Db, type Trx } from '../../shared/db/knex';
import { queueWrite } from '../../shared/db/pipelined-transaction';
import { preparedRows, preparedRowsPair, queuePreparedWrite } from '../../shared/db/prepared-statement';
import { TEST_DATABASE_URL } from '../support/env';

const ROLE = 'oms_pipelined_test';

/** Pipelined transactions (transactAs): BEGIN with the first statement, COMMIT with the last marked one. */
describe('pipelined transactions', () => {
  // one pooled connection, so every transaction runs on the connection whose round trips are counted
  let db: Db;
  let observer: Db;
  const transact = <T>(fn: (trx: Trx) => Promise<T>) => transactAs(db, null)(fn);
  const count = async (key: string) => Number((await observer('pipelined_test').where({ key }).count<{ count: string }[]>('* as count'))[0]!.count);
  const insert = (trx: Trx, key: string, options: { commit?: boolean } = {}) =>
    preparedRows<{ key: string }>(trx, 'test_pipelined_insert', 'INSERT INTO pipelined_test (key) VALUES (:key) RETURNING key', { key }, options);

  /** Round trips on the pool's one connection while `fn` runs: each ends with the server's ReadyForQuery. */
  async function roundTrips(fn: () => Promise<unknown>): Promise<number> {
    type PooledConnection = { connection: { on(e: string, f: () => void): void; off(e: string, f: () => void): void } };
    const client = db.client as unknown as { acquireConnection(): Promise<PooledConnection>; releaseConnection(c: PooledConnection): Promise<unknown> };
    const pooled = await client.acquireConnection();
    await client.releaseConnection(pooled);
    let n = 0;
    const seen = () => n++;
    pooled.connection.on('readyForQuery', seen);
    try {
      await fn();
    } finally {
      pooled.connection.off('readyForQuery', seen);
    }
    return n;
  }

  beforeAll(async () => {
    db = createDb({ DATABASE_URL: TEST_DATABASE_URL, DATABASE_POOL_MAX: 1 }, 'pipelined-transaction-test');
    observer = createDb({ DATABASE_URL: TEST_DATABASE_URL, DATABASE_POOL_MAX: 1 }, 'pipelined-transaction-observer');
    await db.raw('CREATE TABLE IF NOT EXISTS pipelined_test (key text PRIMARY KEY)');
    await db.raw(`DO $$ BEGIN CREATE ROLE ${ROLE}; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
    await db.raw(`GRANT SELECT, INSERT ON pipelined_test TO ${ROLE}`);
  });
  afterAll(async () => {
    await db.raw('DROP TABLE IF EXISTS pipelined_test');
    await Promise.all([db.destroy(), observer.destroy()]);
  });

  it('when the first statement runs, then BEGIN goes with it in one round trip and a rollback undoes it', async () => {
    const key = `first-${randomUUID()}`;
    const trips = await roundTrips(() => expect(transact(async (trx) => {
      await insert(trx, key);
      throw new Error('roll back');
    })).rejects.toThrow('roll back'));
    expect(trips).toBe(2); // BEGIN with the insert, then ROLLBACK
    expect(await count(key)).toBe(0);
  });

  it('when a transaction runs as a role, then its first statement already runs as that role', async () => {
    const [row] = await transactAs(db, ROLE)((trx) => preparedRows<{ who: string }>(trx, 'test_pipelined_who', 'SELECT current_user::text AS who, :n::int AS n', { n: 1 }));
    expect(row!.who).toBe(ROLE);
    const [after] = await preparedRows<{ who: string }>(db, 'test_pipelined_who_after', 'SELECT current_user::text AS who, :n::int AS n', { n: 1 });
    expect(after!.who).toBe('postgres'); // SET LOCAL ended with the transaction
  });

  it('when the last statement carries the COMMIT, then one round trip commits it, knex sends no COMMIT, and no statement may follow', async () => {
    const [first, last] = [`a-${randomUUID()}`, `b-${randomUUID()}`];
    let rows: { key: string }[] = [];
    let late: unknown;
    const trips = await roundTrips(async () => {
      rows = await transact(async (trx) => {
        await insert(trx, first);
        const inserted = await insert(trx, last, { commit: true });
        late = await insert(trx, `late-${randomUUID()}`).catch((e: Error) => e);
        return inserted;
      });
    });
    expect(rows).toEqual([{ key: last }]);
    expect(trips).toBe(2); // BEGIN with the first insert, the last insert with COMMIT; the late one never sent
    expect(late).toEqual(new Error('a statement after its transaction committed with its last statement'));
    expect([await count(first), await count(last)]).toEqual([1, 1]);
  });

  it('when the statement that carries the COMMIT fails, then nothing of the transaction is committed and its SQLSTATE comes back', async () => {
    const [first, taken] = [`a-${randomUUID()}`, `taken-${randomUUID()}`];
    await transact((trx) => insert(trx, taken));
    await expect(transact(async (trx) => {
      await insert(trx, first);
      return insert(trx, taken, { commit: true });
    })).rejects.toMatchObject({ code: '23505' });
    expect(await count(first)).toBe(0);
  });

  it('when one statement is the whole transaction, then BEGIN, it and COMMIT are one round trip', async () => {
    const key = `only-${randomUUID()}`;
    const trips = await roundTrips(() => transact((trx) => insert(trx, key, { commit: true })));
    expect(trips).toBe(1);
    expect(await count(key)).toBe(1);
  });

  it('when pg cannot serialize a value of the first statement, then nothing is sent and the next statement still opens the transaction', async () => {
    const key = `after-refused-${randomUUID()}`;
    const unserializable = { toPostgres: () => { throw new Error('cannot serialize'); } };
    await expect(transact(async (trx) => {
      await expect(preparedRows(trx, 'test_pipelined_refused', 'SELECT :v::text AS v', { v: unserializable })).rejects.toThrow('cannot serialize');
      await insert(trx, key);
      throw new Error('roll back');
    })).rejects.toThrow('roll back');
    expect(await count(key)).toBe(0);
  });

  it('when the first statement has no parameters (simple protocol), then BEGIN goes before it and a rollback still undoes it', async () => {
    const key = `simple-${randomUUID()}`;
    await expect(transact(async (trx) => {
      await trx.raw(`INSERT INTO pipelined_test (key) VALUES ('${key}')`);
      throw new Error('roll back');
    })).rejects.toThrow('roll back');
    expect(await count(key)).toBe(0);
  });

  it('when a transaction runs no statement, then nothing is sent and its connection goes back to the pool outside any transaction', async () => {
    const trips = await roundTrips(async () => {
      await transact(async () => undefined);
      await expect(transact(async () => { throw new Error('nothing ran'); })).rejects.toThrow('nothing ran');
    });
    expect(trips).toBe(0);
    const { rows } = await db.raw<{ rows: { open: boolean }[] }>('SELECT pg_current_xact_id_if_assigned() IS NOT NULL OR now() <> statement_timestamp() AS open');
    expect(rows[0]!.open).toBe(false);
  });

  describe('queued writes (queueWrite)', () => {
    const queue = (trx: Trx, key: string) => queueWrite(trx, trx('pipelined_test').insert({ key }));

    it('when writes are queued, then the next statement carries them in its round trip, in order, and sees them', async () => {
      const [a, b] = [`q-${randomUUID()}`, `q-${randomUUID()}`];
      let seen: unknown[] = [];
      const trips = await roundTrips(() => transact(async (trx) => {
        await queue(trx, a);
        await queue(trx, b);
        seen = (await preparedRows<{ key: string }>(trx, 'test_pipelined_seen', 'SELECT key FROM pipelined_test WHERE key = ANY(:keys::text[]) ORDER BY key', { keys: [a, b] })).map((r) => r.key);
        await insert(trx, `last-${randomUUID()}`, { commit: true });
      }));
      expect(trips).toBe(2); // BEGIN, both writes and the read; the last insert with COMMIT
      expect(seen).toEqual([a, b].sort());
      expect([await count(a), await count(b)]).toEqual([1, 1]);
    });

    it('when writes are queued last, then knex\'s COMMIT carries them: BEGIN, the writes and COMMIT in one round trip', async () => {
      const key = `q-only-${randomUUID()}`;
      const trips = await roundTrips(() => transact((trx) => queue(trx, key)));
      expect(trips).toBe(1);
      expect(await count(key)).toBe(1);
    });

    it.each([
      ['at the statement that carried it', true],
      ['at the COMMIT that carried it', false],
    ])('when a queued write fails %s, then the transaction rejects with its SQLSTATE, nothing of it is committed, and the connection is clean', async (_where, statementAfter) => {
      const [first, taken] = [`q-${randomUUID()}`, `q-taken-${randomUUID()}`];
      await transact((trx) => insert(trx, taken));
      await expect(transact(async (trx) => {
        await insert(trx, first);
        await queue(trx, taken);
        if (statementAfter) await preparedRows(trx, 'test_pipelined_after', 'SELECT :n::int AS n', { n: 1 });
      })).rejects.toMatchObject({ code: '23505' });
      expect(await count(first)).toBe(0);
      // the pool's one connection is outside any transaction: the next one commits
      const next = `q-next-${randomUUID()}`;
      await transact((trx) => insert(trx, next, { commit: true }));
      expect(await count(next)).toBe(1);
    });

    it('when the transaction rolls back, then queued writes never sent are dropped', async () => {
      const key = `q-dropped-${randomUUID()}`;
      const trips = await roundTrips(() => expect(transact(async (trx) => {
        await queue(trx, key);
        throw new Error('roll back');
      })).rejects.toThrow('roll back'));
      expect(trips).toBe(0);
      expect(await count(key)).toBe(0);
    });

    it('when a simple-protocol statement follows queued writes, then they run first and it sees them', async () => {
      const key = `q-simple-${randomUUID()}`;
      const n = await transact(async (trx) => {
        await queue(trx, key);
        const { rows } = await trx.raw<{ rows: { n: string }[] }>(`SELECT count(*) AS n FROM pipelined_test WHERE key = '${key}'`);
        return Number(rows[0]!.n);
      });
      expect(n).toBe(1);
      expect(await count(key)).toBe(1);
    });

    it('when a write in preparedRows\' syntax is queued, then its named bindings are sent as parameters with the next statement', async () => {
      const keys = [`qp-${randomUUID()}`, `qp-${randomUUID()}`];
      const sql = 'INSERT INTO pipelined_test (key) SELECT unnest(:keys::text[])';
      const trips = await roundTrips(() => transact(async (trx) => {
        await queuePreparedWrite(trx, 'test_pipelined_queued', sql, { keys });
        await insert(trx, `last-${randomUUID()}`, { commit: true });
      }));
      expect(trips).toBe(1); // BEGIN, the queued write, the insert and COMMIT
      expect(await Promise.all(keys.map(count))).toEqual([1, 1]);
      const outside = `qp-outside-${randomUUID()}`;
      await db.transaction((trx) => queuePreparedWrite(trx, 'test_pipelined_queued', sql, { keys: [outside] }));
      expect(await count(outside)).toBe(1);
    });

    it('when two reads are paired, then both come back from one round trip, the second run after the first', async () => {
      const key = `pair-${randomUUID()}`;
      await transact((trx) => insert(trx, key, { commit: true }));
      const lockThenCount = (trx: Trx) => preparedRowsPair<{ key: string }, { n: number }>(trx,
        { name: 'test_pipelined_pair_lock', sql: 'SELECT key FROM pipelined_test WHERE key = :key FOR UPDATE', bindings: { key } },
        { name: 'test_pipelined_pair_count', sql: 'SELECT count(*)::int AS n, :key::text AS k FROM pipelined_test WHERE key = :key', bindings: { key } });
      let pair: unknown;
      const trips = await roundTrips(() => transact(async (trx) => {
        pair = await lockThenCount(trx);
        await insert(trx, `last-${randomUUID()}`, { commit: true });
      }));
      expect(trips).toBe(2); // BEGIN and both reads; the last insert with COMMIT
      expect(pair).toEqual([[{ key }], [{ n: 1, k: key }]]);
      // outside a pipelined transaction: the same rows, one statement after the other
      expect(await db.transaction((trx) => lockThenCount(trx))).toEqual(pair);
    });

    it('when the transaction is not pipelined, then a queued write runs at once', async () => {
      const key = `q-plain-${randomUUID()}`;
      await db.transaction(async (trx) => {
        await queue(trx, key);
        expect(await count(key)).toBe(0); // not committed yet, but sent
        const { rows } = await trx.raw<{ rows: { n: string }[] }>('SELECT count(*) AS n FROM pipelined_test WHERE key = ?', [key]);
        expect(Number(rows[0]!.n)).toBe(1);
      });
      expect(await count(key)).toBe(1);
    });
  });
});
