import { loadConfig } from '../../shared/config';
import { createDb, type Db } from '../../shared/db/knex';
import { TEST_DATABASE_URL } from '../support/env';

const randomPageCostOf = async (db: Db) => Number((await db.raw('SHOW random_page_cost')).rows[0].random_page_cost);

/** DATABASE_RANDOM_PAGE_COST reaches every session of the pool; empty leaves the server's setting. */
describe('planner settings of the fleet\'s sessions', () => {
  const pools: Db[] = [];
  const pool = (env: Record<string, string>) => {
    const db = createDb(loadConfig({ DATABASE_URL: TEST_DATABASE_URL, DATABASE_POOL_MAX: '2', ...env }));
    pools.push(db);
    return db;
  };
  afterAll(() => Promise.all(pools.map((p) => p.destroy())));

  it('when nothing is set, then every session plans with random_page_cost 1.1, inside transactions too', async () => {
    const db = pool({});
    expect(await randomPageCostOf(db)).toBe(1.1);
    expect(await db.transaction((trx) => randomPageCostOf(trx as unknown as Db))).toBe(1.1);
  });

  it('when it is set, then that value is used; when it is empty, then the server\'s', async () => {
    expect(await randomPageCostOf(pool({ DATABASE_RANDOM_PAGE_COST: '2.5' }))).toBe(2.5);
    // a value the session asked for has source 'client'; the server's comes from its configuration
    const sourceOf = async (db: Db) => (await db.raw("SELECT source FROM pg_settings WHERE name = 'random_page_cost'")).rows[0].source;
    expect(await sourceOf(pool({}))).toBe('client');
    expect(await sourceOf(pool({ DATABASE_RANDOM_PAGE_COST: '' }))).not.toBe('client');
  });

  it('when it is not a positive number, then start-up is refused naming the variable', () => {
    expect(() => loadConfig({ DATABASE_RANDOM_PAGE_COST: 'fast' })).toThrow(/DATABASE_RANDOM_PAGE_COST/);
    expect(() => loadConfig({ DATABASE_RANDOM_PAGE_COST: '0' })).toThrow(/DATABASE_RANDOM_PAGE_COST/);
  });
});
