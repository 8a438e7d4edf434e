/**
 * `npm run bench:prune -- [--expired 3000000] [--recent 300000]`
 *
 * The two retention sweeps on tables of production size: on a database of its own, seeds
 * `fraud_velocity` and one consumer's `inbox` with `expired` rows past their retention and `recent`
 * rows within it, then runs fraud's velocity-key sweep and the inbox pruner as the fleet runs them
 * (as the service's role, 5,000 rows per transaction) while a writer inserts a velocity key and an
 * inbox row every 2 ms, as placements do. Reports each sweep's rows/s and the writer's insert
 * latency before and during it (the sweeps must not stall the saga), then the same for the vacuum
 * that follows, and checks that exactly the expired rows went. Results: bench/results/prune-latest.json.
 */
import { randomUUID } from 'crypto';
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { velocityRetention } from '../services/fraud/velocity-retention';
import { loadConfig } from '../shared/config';
import { DELETE_BATCH } from '../shared/db/delete-in-batches';
import { createDb, type Db, migrateLatest, transactAs } from '../shared/db/knex';
import { serviceRole } from '../shared/db/migrations/004_service_roles';
import { createLogger } from '../shared/logger';
import { InboxPruner } from '../shared/runner/inbox-pruner';
import { scratchDatabase } from '../test/support/scratch-database';
import { benchArg, percentile } from './args';

const EXPIRED = Number(benchArg('expired', '3000000'));
const RECENT = Number(benchArg('recent', '300000'));
const RETENTION_HOURS = 24; // FRAUD_VELOCITY_RETENTION_HOURS's default
const INBOX_RETENTION_HOURS = 168; // INBOX_RETENTION_HOURS's default
const CONSUMER = 'payment';

/** Inserts one velocity key and one inbox row every 2 ms, one transaction each, and keeps each insert's latency. */
class PlacementWriter {
  private latencies: number[] = [];
  private running = true;
  private readonly done: Promise<void>;

  constructor(private readonly db: Db) {
    this.done = this.loop();
  }

  private async loop() {
    while (this.running) {
      const t0 = process.hrtime.bigint();
      await this.db.transaction(async (trx) => {
        await trx('fraud_velocity').insert({ kind: 'customer', value: `C-${randomUUID()}`, order_id: randomUUID(), at: new Date() });
        await trx('inbox').insert({ consumer: CONSUMER, event_id: randomUUID() });
      });
      this.latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** The latencies since the last call: p50, p99, max (ms) and how many. */
  take() {
    const sorted = this.latencies.sort((a, b) => a - b);
    this.latencies = [];
    return { inserts: sorted.length, p50Ms: +percentile(sorted, 50).toFixed(2), p99Ms: +percentile(sorted, 99).toFixed(2), maxMs: +(sorted.at(-1) ?? 0).toFixed(2) };
  }

  async stop() {
    this.running = false;
    await this.done;
  }
}

/** Expired rows `retention + 24 h` to `retention + 48 h` old and recent rows within the last hour, in time order as the fleet writes them. */
async function seed(db: Db) {
  const tables = [
    { into: 'fraud_velocity (kind, value, order_id, at)', values: `(ARRAY['customer','email','payment_token'])[1 + i % 3], 'v' || (i / 3 % 200000), gen_random_uuid()`, retentionHours: RETENTION_HOURS },
    { into: 'inbox (consumer, event_id, processed_at)', values: `'${CONSUMER}', gen_random_uuid()::text`, retentionHours: INBOX_RETENTION_HOURS },
  ];
  for (const t of tables) {
    for (const [hoursAgo, spanSeconds, rows] of [[t.retentionHours + 48, 86_400, EXPIRED], [1, 3_000, RECENT]] as const) {
      await db.raw(
        `INSERT INTO ${t.into} SELECT ${t.values}, now() - make_interval(hours => ?) + (i * (?::float8 / ?)) * interval '1 second' FROM generate_series(0, ? - 1) i`,
        [hoursAgo, spanSeconds, rows, rows],
      );
    }
  }
  await db.raw('VACUUM ANALYZE fraud_velocity, inbox'); // what autovacuum does to a table this size before any sweep comes
}

const count = async (db: Db, table: string, where: string) => Number((await db.raw(`SELECT count(*) AS n FROM ${table} WHERE ${where}`)).rows[0].n);

async function main() {
  const config = loadConfig();
  const log = createLogger('bench-prune', 'warn');
  const admin = createDb(config, 'oms-bench-prune');
  const scratch = await scratchDatabase(admin, 'oms_prune', config.DATABASE_URL);
  const db = createDb({ DATABASE_URL: scratch.url, DATABASE_POOL_MAX: 4 }, 'oms-bench-prune');
  try {
    await migrateLatest(db);
    const s0 = Date.now();
    await seed(db);
    console.log(`seeded ${EXPIRED.toLocaleString('en')} expired and ${RECENT.toLocaleString('en')} recent rows in each table in ${((Date.now() - s0) / 1000).toFixed(1)} s`);

    const writer = new PlacementWriter(db);
    await new Promise((r) => setTimeout(r, 5000));
    const idle = writer.take();

    const sweep = async (what: string, run: () => Promise<number>) => {
      const t0 = Date.now();
      const deleted = await run();
      const seconds = (Date.now() - t0) / 1000;
      return { what, deleted, seconds: +seconds.toFixed(1), rowsPerSecond: Math.round(deleted / seconds), writer: writer.take() };
    };
    const velocity = await sweep('fraud velocity keys', async () =>
      (await velocityRetention(RETENTION_HOURS, 60_000).run({ transact: transactAs(db, serviceRole('fraud')), publishCommands: async () => [], log })) as number,
    );
    const inbox = await sweep('inbox', () => new InboxPruner(transactAs(db, serviceRole(CONSUMER)), CONSUMER, INBOX_RETENTION_HOURS, 60_000, log).prune());
    // a delete only marks rows dead: autovacuum does the rest afterwards, beside the saga too
    const vacuum = await sweep('vacuum of both (what autovacuum does next)', async () => {
      await db.raw('VACUUM fraud_velocity, inbox');
      return 2 * EXPIRED;
    });
    await writer.stop();

    const left = {
      velocityExpired: await count(db, 'fraud_velocity', `at < now() - interval '${RETENTION_HOURS} hours'`),
      velocityRecent: await count(db, 'fraud_velocity', `value LIKE 'v%'`),
      inboxExpired: await count(db, 'inbox', `processed_at < now() - interval '${INBOX_RETENTION_HOURS} hours'`),
    };
    const ok = velocity.deleted === EXPIRED && inbox.deleted === EXPIRED && left.velocityExpired === 0 && left.inboxExpired === 0 && left.velocityRecent === RECENT;
    const result = { expired: EXPIRED, recent: RECENT, batch: DELETE_BATCH, writerIdle: idle, sweeps: [velocity, inbox, vacuum], left, ok, startedAt: new Date(s0).toISOString() };

    console.log(`writer alone: ${idle.inserts} inserts, p50 ${idle.p50Ms} ms, p99 ${idle.p99Ms} ms, max ${idle.maxMs} ms`);
    for (const s of [velocity, inbox, vacuum]) {
      console.log(`${s.what}: ${s.deleted.toLocaleString('en')} rows in ${s.seconds} s (${s.rowsPerSecond.toLocaleString('en')}/s); writer meanwhile: ${s.writer.inserts} inserts, p50 ${s.writer.p50Ms} ms, p99 ${s.writer.p99Ms} ms, max ${s.writer.maxMs} ms`);
    }
    console.log(ok ? 'every expired row deleted, every recent row kept' : `WRONG: ${JSON.stringify(left)}`);
    const dir = join(__dirname, 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'prune-latest.json'), JSON.stringify(result, null, 2));
    if (!ok) process.exitCode = 1;
  } finally {
    await db.destroy();
    await scratch.drop();
    await admin.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
