/**
 * `npm run bench -- [--orders N] [--rate R] [--warmup W] [--partitions P] [--instances K] [--layout shared|split|<a+b,c+d>] [--mode normal|hot-sku|backlog]`
 *
 * Runs the compiled fleet in child processes against the local stack on fresh topics, seeds stock,
 * publishes W warm-up orders (default 1,000; none in backlog mode) and waits for them to settle,
 * then publishes N SubmitOrders at R/s (0 = as fast as possible), plays the warehouse, and measures
 * from each of those commands' timestamps to its states in the status store (the warm-up orders'
 * latency is reported apart, as `warmup`). In the same invocation it runs the
 * limit: the run's Kafka messages produced again and read by as many bare kafkajs consumer groups
 * as read each topic, while a bare knex loop runs the same number of transactions, statements
 * (counted in the fleet processes by bench/query-census.js) and row writes (bench/limit.ts), and
 * reports our orders/s as a ratio of that limit.
 * Results: bench/results/latest.json.
 */
import { execFileSync } from 'child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { type Admin, Partitioners } from 'kafkajs';
import { createPlatform } from '../shared/bootstrap';
import { type Db, migrateLatest } from '../shared/db/knex';
import { deleteTopicsWithPrefix, ensureTopics, registerSchemas } from '../shared/provisioning';
import { TOPICS, TopicKey, topicName } from '../shared/topics';
import { buildFleet, FleetProcess, totalConsumerLag, waitForStableGroups } from './fleet-process';
import { Traffic } from './traffic';
import { SimulatedWarehouse } from './warehouse';
import { loadServiceDeps } from '../services/deps';
import { consumedTopics } from '../services/registry';
import { runLimit } from './limit';
import { medianMsByRecord } from './hops';
import { MachineCpu } from './machine-cpu';
import { waitForEvery } from './wait-for-orders';
import { benchArg, percentilesMs } from './args';
import { latencyBySecond, type SecondOfRun } from './latency-by-second';
import { type Verdict, verdicts } from './targets';

const ORDERS = Number(benchArg('orders', '5000'));
const RATE = Number(benchArg('rate', '0'));
const PARTITIONS = Number(benchArg('partitions', '6'));
const INSTANCES = Number(benchArg('instances', '1'));
const MODE = benchArg('mode', 'normal') as 'normal' | 'hot-sku' | 'backlog';
const LAYOUT = MODE === 'backlog' ? 'split' : benchArg('layout', 'shared');
// a backlog run starts payment only after the orders are published: orders sent earlier to warm up would wait for it too
const WARMUP = MODE === 'backlog' ? 0 : Number(benchArg('warmup', '1000'));
if (!Number.isInteger(WARMUP) || WARMUP < 0) throw new Error(`--warmup ${benchArg('warmup', '')}: a number of orders, 0 or more`);
/** Keep the run's topics for a look afterwards (they are deleted at the end otherwise). */
const BENCH_KEEP_TOPICS = benchArg('keep-topics', '0') === '1';
const SERVICES = ['intake', 'fraud', 'inventory', 'payment', 'fulfillment', 'notifications'];
const BACKLOG_SERVICE = 'payment';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const groups = processGroups(LAYOUT); // a mistyped --layout fails before anything is set up
  const runId = `bench${Date.now().toString(36)}`;
  const env = { ...process.env, KAFKA_TOPIC_PREFIX: `${runId}.`, KAFKA_GROUP_PREFIX: runId, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' };
  const p = createPlatform('bench', env);
  const { db, kafka, codec, config } = p;
  const topicsByService = consumedTopics(loadServiceDeps(config));
  console.log(`bench ${runId}: ${ORDERS} orders, rate ${RATE || 'max'}/s, ${WARMUP} warm-up orders, ${PARTITIONS} partitions, ${INSTANCES} instance(s), layout ${LAYOUT}, mode ${MODE}`);

  console.log('building (tsc) ...');
  buildFleet();
  await migrateLatest(db);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, config.KAFKA_TOPIC_PREFIX, PARTITIONS);
  await registerSchemas(codec, config.KAFKA_TOPIC_PREFIX);

  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const traffic = new Traffic(codec, producer, config.KAFKA_TOPIC_PREFIX, runId);

  // stock
  const skus = MODE === 'hot-sku' ? [1, 2, 3].map((i) => `${runId}-HOT${i}`) : Array.from({ length: 20 }, (_, i) => `${runId}-SKU${i}`);
  const initialStock = MODE === 'hot-sku' ? Math.max(10, Math.round(ORDERS * 0.4)) : 1_000_000_000;
  await traffic.setStock(skus, initialStock);

  // fleet
  const processes: FleetProcess[] = [];
  for (const services of groups) for (let i = 0; i < INSTANCES; i++) processes.push(new FleetProcess(`${services.join('+')}#${i}`, { ...env, SERVICES: services.join(',') }));
  const delayed = MODE === 'backlog' ? processes.filter((f) => f.name.startsWith(`${BACKLOG_SERVICE}#`)) : [];
  for (const f of processes) if (!delayed.includes(f)) f.start();
  await waitForStableGroups(admin, runId, SERVICES.filter((s) => s !== (MODE === 'backlog' ? BACKLOG_SERVICE : '')), INSTANCES);
  console.log(`fleet: ${processes.length - delayed.length} process(es) running, every consumer group stable`);
  const warehouse = new SimulatedWarehouse(traffic, kafka, `${runId}-warehouse`);
  await warehouse.start();
  const xactBefore = await dbCounters(p);

  // warm-up: a fleet just started runs its first seconds of traffic several times slower (the JIT,
  // each connection's first statements), and at 250/s the queue that builds drains for seconds
  const warmupSeries = `${runId}w`;
  if (WARMUP > 0) {
    const warmSkus = Array.from({ length: 20 }, (_, i) => `${runId}-WARM${i}`);
    await traffic.setStock(warmSkus, 1_000_000_000);
    const { ids: warmIds } = await publishOrders(traffic, WARMUP, warmSkus, warmupSeries);
    await waitForEvery(warmIds, settledOf(db), { intervalMs: 500, what: 'settled (warm-up)', deadline: Date.now() + 600_000 });
    await waitForNoLag(admin, runId, topicsByService);
    console.log(`warm-up: ${WARMUP} orders settled; measuring from here`);
  }

  // samplers
  const cpuBefore = processes.map((f) => f.sample().cpuSeconds);
  const lagSeries: { t: number; lag: number }[] = [];
  const t0 = Date.now();
  const machine = new MachineCpu(() => processes.flatMap((f) => f.pids));
  machine.start();
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      for (const f of processes) f.sample();
      machine.sample();
      lagSeries.push({ t: Math.round((Date.now() - t0) / 1000), lag: await totalConsumerLag(admin, runId, topicsByService).catch(() => -1) });
      await sleep(2000);
    }
  })();

  // channel
  const { ids, started } = await publishOrders(traffic, ORDERS, skus, runId);
  const publishSeconds = (Date.now() - started) / 1000;
  console.log(`published ${ORDERS} orders in ${publishSeconds.toFixed(1)} s`);

  let drainMessagesPerSecond: number | null = null;
  if (MODE === 'backlog') {
    // every order reserved and waiting for payment: that is the backlog
    await waitForEvery(ids, async (set) => Number((await db('reservations').whereIn('order_id', set).count({ n: '*' }).first())!.n), { intervalMs: 500, what: 'reserved' });
    const inventoryTopic = topicName('inventory', config.KAFKA_TOPIC_PREFIX);
    const backlog = (await admin.fetchTopicOffsets(inventoryTopic)).reduce((n, e) => n + Number(e.high), 0);
    console.log(`backlog: ${backlog} messages waiting for ${BACKLOG_SERVICE}; starting it`);
    for (const f of delayed) f.start();
    // the clock starts once the service has joined its group (process start-up is not draining) and
    // stops when every order's authorization is committed (offsets are committed only every second)
    await waitForStableGroups(admin, runId, [BACKLOG_SERVICE], INSTANCES, 120_000, 20);
    const drainStart = Date.now();
    const authorized = async (set: string[]) => Number((await db('payments').whereIn('order_id', set).where({ operation: 'authorize' }).count({ n: '*' }).first())!.n);
    await waitForEvery(ids, authorized, { intervalMs: 20, what: 'authorized', newest: PARTITIONS * 10 });
    drainMessagesPerSecond = Math.round(backlog / ((Date.now() - drainStart) / 1000));
    console.log(`backlog drained at ${drainMessagesPerSecond} messages/s (${backlog} in ${((Date.now() - drainStart) / 1000).toFixed(2)} s)`);
  }

  // wait for every order to settle
  await waitForEvery(ids, settledOf(db), { intervalMs: 1000, deadline: Date.now() + Number(benchArg('timeout', '1800')) * 1000, what: 'settled' });
  sampling = false;
  await sampler;
  const machineCpu = machine.report();
  // the same window as machineCpu: from the end of the warm-up to the last Delivered
  const perProcess = processes.map((f, i) => {
    const { cpuSeconds, peakRssMb } = f.sample();
    return { name: f.name, peakRssMb, cpuSeconds: Math.round((cpuSeconds - cpuBefore[i]!) * 100) / 100 };
  });
  // the census covers every order's whole saga: the work behind Delivered (capture, stock commit, notifications) ends first
  await waitForNoLag(admin, runId, topicsByService);

  // measurements from the status store
  const latencies = async (state: string, series = runId) =>
    (await db.raw(
      `SELECT extract(epoch FROM (h.at - o.placed_at)) * 1000 AS ms, h.at, extract(epoch FROM o.placed_at) * 1000 AS placed FROM orders o JOIN order_status_history h ON h.order_id = o.order_id
       WHERE o.channel = 'bench' AND o.channel_order_ref LIKE ? AND h.to_state = ? AND NOT h.refused ORDER BY 1`,
      [`${series}-%`, state],
    )).rows as { ms: number; at: Date; placed: number }[];
  // to Awaiting_Shipment: the percentiles, and the same by the second each order was placed in
  const awaitingFigures = (rows: { ms: number; placed: number }[]) => ({
    ...percentilesMs(rows.map((r) => Number(r.ms))),
    awaitingBySecond: latencyBySecond(rows.map((r) => ({ placedAt: Number(r.placed), ms: Number(r.ms) }))),
  });
  const awaiting = awaitingFigures(await latencies('Awaiting_Shipment'));
  const warmupAwaiting = awaitingFigures(await latencies('Awaiting_Shipment', warmupSeries));
  const deliveredRows = await latencies('Delivered');
  const delivered = percentilesMs(deliveredRows.map((r) => Number(r.ms)));
  const lastDelivered = deliveredRows.reduce((last, r) => Math.max(last, new Date(r.at).getTime()), 0); // no spread: above ~125,000 orders it overflows the stack
  const ordersPerSecond = deliveredRows.length / ((lastDelivered - started) / 1000);
  const outcome = Object.fromEntries(((await db('orders').whereIn('order_id', ids).groupBy('state', 'cancel_reason').select('state', 'cancel_reason').count({ n: '*' })) as { state: string; cancel_reason: string | null; n: string }[]).map((r) => [`${r.state}${r.cancel_reason ? `:${r.cancel_reason}` : ''}`, Number(r.n)]));
  const stock = await db('stock_levels').whereIn('sku', skus).select('sku', 'on_hand', 'reserved');
  const shippedUnits = Number((await db('reservation_lines as l').join('reservations as r', 'r.reservation_id', 'l.reservation_id').whereIn('l.sku', skus).where('r.status', 'committed').sum({ q: 'l.quantity' }).first())!.q ?? 0);
  const oversoldUnits = stock.reduce((n, s) => n + Math.max(0, -s.on_hand) + Math.max(0, s.reserved - s.on_hand), 0) + Math.max(0, shippedUnits - skus.length * initialStock);

  await Promise.all(processes.map((f) => f.stop()));
  await warehouse.stop();
  const xactAfter = await dbCounters(p); // after the fleet's backends exited: Postgres publishes a backend's counters at most once a second, and at exit
  const allTopics = (Object.keys(TOPICS) as TopicKey[]).map((k) => topicName(k, config.KAFKA_TOPIC_PREFIX));
  const hopsP50Ms = await medianMsByRecord(kafka, admin, allTopics, topicName('orderCommands', config.KAFKA_TOPIC_PREFIX), `${runId}-hops`, new Set(ids));

  // the limit run, same session, replays the work of every order, the warm-up's included
  const limitOrders = ORDERS + WARMUP;
  const messagesByTopic = Object.fromEntries(await Promise.all(allTopics.map(async (t) => [t, (await admin.fetchTopicOffsets(t)).reduce((n, e) => n + Number(e.high), 0)] as const)));
  const messages = Object.values(messagesByTopic).reduce((a, b) => a + b, 0);
  const topicsByReader = { ...topicsByService, warehouse: [topicName('fulfillmentRequests', config.KAFKA_TOPIC_PREFIX)] };
  const rowWrites = xactAfter.rows - xactBefore.rows;
  const transactions = xactAfter.xacts - xactBefore.xacts;
  const counted = statementsSent(processes.flatMap((f) => f.pids));
  if (counted === null) console.warn('a fleet process left no statement count: the limit run replays one statement per row write');
  const statements = counted ?? rowWrites;
  console.log(`limit run: ${messages} Kafka messages, ${transactions} transactions with ${statements} statements and ${rowWrites} row writes ...`);
  const limit = await runLimit(p, admin, { runId, messagesByTopic, topicsByReader, partitions: PARTITIONS, transactions, statements, rowWrites });
  const limitOrdersPerSecond = limitOrders / limit.seconds;
  // the run's topics, the limit's copies among them, go with it: a broker that keeps every run's partitions runs out of file descriptors
  const deletedTopics = BENCH_KEEP_TOPICS ? [] : await deleteTopicsWithPrefix(admin, config.KAFKA_TOPIC_PREFIX);
  await admin.disconnect();
  await producer.disconnect();

  const peakRssMbByService = Object.fromEntries(perProcess.map((x) => [x.name, x.peakRssMb]));
  const result = {
    orders: ORDERS, mode: MODE, layout: LAYOUT, partitions: PARTITIONS, instances: INSTANCES, offeredRate: (RATE || 'max') as number | 'max',
    ordersPerSecond: Math.round(ordersPerSecond * 10) / 10,
    limitOrdersPerSecond: Math.round(limitOrdersPerSecond * 10) / 10,
    limitRatio: Math.round((ordersPerSecond / limitOrdersPerSecond) * 1000) / 1000,
    ...awaiting,
    deliveredP50Ms: delivered.p50Ms, deliveredP99Ms: delivered.p99Ms, deliveredP999Ms: delivered.p999Ms,
    warmup: WARMUP > 0 ? { orders: WARMUP, ...warmupAwaiting } : null,
    oversoldUnits, outcome, drainMessagesPerSecond,
    peakRssMbByService, cpuSecondsByService: Object.fromEntries(perProcess.map((x) => [x.name, x.cpuSeconds])),
    machineCpu: { ...machineCpu, msPerOrderByComponent: Object.fromEntries(Object.entries(machineCpu.secondsByComponent).map(([c, s]) => [c, Math.round((s / ORDERS) * 1e4) / 10])) },
    kafkaMessages: messages, kafkaDeliveries: limit.deliveries, transactions, statements, rowWrites,
    // a chunk rolled back runs again (a redelivered event found in the inbox, a deadlock, a failed statement): work done twice
    rolledBackTransactions: xactAfter.rollbacks - xactBefore.rollbacks, deadlocks: xactAfter.deadlocks - xactBefore.deadlocks, statementsPerOrder: Math.round((statements / limitOrders) * 10) / 10, messagesPerOrder: Math.round((messages / limitOrders) * 10) / 10, deliveriesPerOrder: Math.round((limit.deliveries / limitOrders) * 10) / 10, transactionsPerOrder: Math.round((transactions / limitOrders) * 10) / 10,
    hopsP50Ms, limit, lagSeries, publishSeconds,
    startedAt: new Date(started).toISOString(), gitCommit: execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim(),
    targets: [] as Verdict[],
  };
  result.targets = verdicts(result);
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', 'latest.json'), JSON.stringify(result, null, 2));
  writeFileSync(join(__dirname, 'results', `${runId}.json`), JSON.stringify(result, null, 2));
  console.table({
    'orders/s to Delivered': result.ordersPerSecond,
    'limit orders/s (bare Kafka + bare SQL)': result.limitOrdersPerSecond,
    'ratio of limit': result.limitRatio,
    'p50 / p99 / p99.9 ms to Awaiting_Shipment': `${result.p50Ms} / ${result.p99Ms} / ${result.p999Ms}`,
    'p50 / p99 ms to Delivered': `${result.deliveredP50Ms} / ${result.deliveredP99Ms}`,
    'warm-up orders: p50 / p99 / p99.9 ms to Awaiting_Shipment (not in the figures above)': result.warmup ? `${result.warmup.p50Ms} / ${result.warmup.p99Ms} / ${result.warmup.p999Ms} over ${result.warmup.orders}` : '-',
    'oversold units': result.oversoldUnits,
    'backlog drain messages/s': result.drainMessagesPerSecond ?? '-',
    'peak RSS MB': JSON.stringify(peakRssMbByService),
    'CPU s': JSON.stringify(result.cpuSecondsByService),
    'machine CPU ms per order': JSON.stringify(result.machineCpu.msPerOrderByComponent),
    'machine busy / steal': `${result.machineCpu.busyShare} / ${result.machineCpu.stealShare} over ${result.machineCpu.windowSeconds} s`,
    'messages / deliveries / transactions / statements per order': `${result.messagesPerOrder} / ${result.deliveriesPerOrder} / ${result.transactionsPerOrder} / ${result.statementsPerOrder}`,
    'transactions rolled back / deadlocks': `${result.rolledBackTransactions} / ${result.deadlocks}`,
    'limit: Kafka / SQL / both, s': `${limit.kafkaSeconds.toFixed(1)} / ${limit.dbSeconds.toFixed(1)} / ${limit.seconds.toFixed(1)}`,
  });
  console.log("issue 5's targets that this run measures (missedBy: how far off, as a ratio):");
  console.table(result.targets);
  const seconds = (list: SecondOfRun[]) => list.slice(0, 8).map((x) => `${x.second}: ${x.p50Ms}/${x.p99Ms}`).join(', ');
  if (result.warmup) console.log(`warm-up orders, p50/p99 ms to Awaiting_Shipment by second placed: ${seconds(result.warmup.awaitingBySecond)} …`);
  console.log(`measured orders, p50/p99 ms to Awaiting_Shipment by second placed: ${seconds(result.awaitingBySecond)} … (all in awaitingBySecond)`);
  console.log(`p50 ms from SubmitOrder to each event sent: ${Object.entries(hopsP50Ms).map(([r, ms]) => `${r} ${ms}`).join(', ')}`);
  console.log(`outcome: ${JSON.stringify(outcome)}; results in bench/results/latest.json`);
  console.log(BENCH_KEEP_TOPICS ? `the run's topics are kept (prefix ${config.KAFKA_TOPIC_PREFIX})` : `the run's ${deletedTopics.length} topics were deleted (--keep-topics 1 keeps them)`);
  await db.destroy();
}

/** Publishes `count` orders of a series at the offered rate (RATE; 0 = as fast as possible). */
async function publishOrders(traffic: Traffic, count: number, skus: string[], series: string): Promise<{ ids: string[]; started: number }> {
  const ids: string[] = [];
  // at a set rate, a send every ~10 ms: bursts of 200 would put up to 200 orders' worth of queueing into every latency
  const batchSize = RATE > 0 ? Math.max(1, Math.ceil(RATE / 100)) : 200;
  const started = Date.now();
  for (let i = 0; i < count; i += batchSize) {
    const n = Math.min(batchSize, count - i);
    const orders = Array.from({ length: n }, (_, j) => traffic.order(i + j, skus, series));
    ids.push(...orders.map((o) => o.orderId));
    await traffic.submit(orders);
    if (RATE > 0) {
      const due = started + ((i + n) / RATE) * 1000;
      if (due > Date.now()) await sleep(due - Date.now());
    }
  }
  return { ids, started };
}

/** How many of a set of orders have reached an end state. */
const settledOf = (db: Db) => async (set: string[]) =>
  Number((await db('orders').whereIn('order_id', set).whereIn('state', ['Delivered', 'Cancelled', 'Rejected']).count({ n: '*' }).first())!.n);

/** Which services share a process: `shared` (all in one), `split` (one each), or groups such as `intake+fraud,inventory+payment+fulfillment+notifications`. */
function processGroups(layout: string): string[][] {
  if (layout === 'shared') return [['all']];
  if (layout === 'split') return SERVICES.map((s) => [s]);
  const groups = layout.split(',').map((g) => g.split('+').map((s) => s.trim()).filter(Boolean));
  const named = groups.flat();
  const unknown = named.filter((s) => !SERVICES.includes(s));
  const missing = SERVICES.filter((s) => !named.includes(s));
  if (unknown.length || missing.length || named.length !== new Set(named).size) {
    throw new Error(`--layout ${layout}: name every service exactly once (${SERVICES.join(', ')}); unknown: ${unknown.join(', ') || 'none'}, missing: ${missing.join(', ') || 'none'}`);
  }
  return groups;
}

/** The SQL statements the fleet processes sent (bench/query-census.js); null if a process left no count. */
function statementsSent(pids: number[]): number | null {
  let total = 0;
  for (const pid of pids) {
    try {
      total += (JSON.parse(readFileSync(join(__dirname, '..', '.stack', 'query-census', `${pid}.json`), 'utf8')) as { statements: number }).statements;
    } catch {
      return null;
    }
  }
  return total;
}

async function waitForNoLag(admin: Admin, runId: string, topicsByService: Record<string, string[]>): Promise<void> {
  const deadline = Date.now() + 120_000;
  while ((await totalConsumerLag(admin, runId, topicsByService).catch(() => -1)) !== 0) {
    if (Date.now() > deadline) return console.warn('the fleet still had lag 120 s after the last Delivered: the census misses that work');
    await sleep(500);
  }
}

async function dbCounters(p: ReturnType<typeof createPlatform>) {
  const r = (await p.db.raw('SELECT xact_commit, xact_rollback, deadlocks, tup_inserted + tup_updated + tup_deleted AS rows FROM pg_stat_database WHERE datname = current_database()')).rows[0];
  return { xacts: Number(r.xact_commit), rollbacks: Number(r.xact_rollback), deadlocks: Number(r.deadlocks), rows: Number(r.rows) };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
