import type { Admin, Producer } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import { FleetProcess, totalConsumerLag, waitForStableGroups } from '../../bench/fleet-process';
import { retrying, Traffic } from '../../bench/traffic';
import { SimulatedWarehouse } from '../../bench/warehouse';
import { loadServiceDeps } from '../../services/deps';
import { consumedTopics } from '../../services/registry';
import { createPlatform, Platform } from '../../shared/bootstrap';
import { createDb } from '../../shared/db/knex';
import { rebuildDatabase } from '../support/database';
import { deleteTopicsWithPrefix, ensureTopics, registerSchemas } from '../../shared/provisioning';

export const SERVICES = ['intake', 'fraud', 'inventory', 'payment', 'fulfillment', 'notifications'] as const;
export type ServiceName = (typeof SERVICES)[number];
export const TERMINAL_STATES = ['Delivered', 'Cancelled', 'Rejected'];
export const FAULTS_DATABASE_URL = process.env.FAULTS_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/oms_faults';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Creates the faults database if it is missing and empties it (the suite never touches the `test` database). */
export async function prepareDatabase(): Promise<void> {
  const url = new URL(FAULTS_DATABASE_URL);
  const name = url.pathname.slice(1);
  const admin = createDb({ DATABASE_URL: Object.assign(new URL(url), { pathname: '/postgres' }).toString(), DATABASE_POOL_MAX: 1 });
  try {
    const exists = await admin.raw('SELECT 1 FROM pg_database WHERE datname = ?', [name]);
    if (exists.rows.length === 0) await admin.raw(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
  } finally {
    await admin.destroy();
  }
  await rebuildDatabase(FAULTS_DATABASE_URL);
}

/**
 * One fault scenario's world: fresh topics and consumer groups, its own SKUs with known stock, the
 * fleet as one OS process per service (so one can be killed), a warehouse, and a supervisor that
 * restarts any process that dies, as systemd or Kubernetes would in production.
 */
export class FaultHarness {
  readonly runId: string;
  readonly platform: Platform;
  readonly traffic: Traffic;
  readonly skus: string[];
  readonly initialStock = 1_000_000;
  readonly orderIds: string[] = [];
  /** Orders the scenario will publish (set before publishing starts). */
  expectedOrders = 0;
  readonly fleet = new Map<ServiceName, FleetProcess[]>();
  restarts = 0;
  /** The physical topics each service's group reads (lag counts those it has never committed on too). */
  readonly topicsByService: Record<string, string[]>;
  private admin!: Admin;
  private producer!: Producer;
  warehouse: SimulatedWarehouse | undefined;
  private readonly env: NodeJS.ProcessEnv;
  private closing = false;

  constructor(readonly scenario: string) {
    this.runId = `fault${Date.now().toString(36)}`;
    this.env = {
      ...process.env,
      DATABASE_URL: FAULTS_DATABASE_URL,
      KAFKA_TOPIC_PREFIX: `${this.runId}.`,
      KAFKA_GROUP_PREFIX: this.runId,
      LOG_LEVEL: process.env.FAULTS_LOG_LEVEL ?? 'warn',
      RUNNER_RETRY_MAX_MS: '2000',
      RUNNER_SESSION_TIMEOUT_MS: process.env.RUNNER_SESSION_TIMEOUT_MS ?? '10000',
      // a consumer that hangs is restarted well within waitAllSettled's 90 s without progress
      RUNNER_STALL_TIMEOUT_MS: process.env.RUNNER_STALL_TIMEOUT_MS ?? '45000',
      OUTBOX_RELAY_INTERVAL_MS: '500',
    };
    this.platform = createPlatform('faults', this.env);
    this.topicsByService = consumedTopics(loadServiceDeps(this.platform.config));
    this.skus = Array.from({ length: 20 }, (_, i) => `${this.runId}-SKU${i}`);
    this.producer = this.platform.kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    this.traffic = new Traffic(this.platform.codec, this.producer, `${this.runId}.`, this.runId);
  }

  get db() {
    return this.platform.db;
  }

  async start(): Promise<void> {
    this.admin = this.platform.kafka.admin();
    await this.admin.connect();
    await ensureTopics(this.admin, `${this.runId}.`, 6);
    await registerSchemas(this.platform.codec, `${this.runId}.`);
    await this.producer.connect();
    await this.traffic.setStock(this.skus, this.initialStock);
    for (const s of SERVICES) this.addInstance(s);
    await waitForStableGroups(this.admin, this.runId, [...SERVICES], 1);
    this.warehouse = new SimulatedWarehouse(this.traffic, this.platform.kafka, `${this.runId}-warehouse`, { sessionTimeoutMs: this.platform.config.RUNNER_SESSION_TIMEOUT_MS });
    await this.warehouse.start();
  }

  /** Starts one more process of `service`, supervised. */
  addInstance(service: ServiceName): FleetProcess {
    const list = this.fleet.get(service) ?? [];
    const p = new FleetProcess(`${this.runId}-${service}#${list.length}`, { ...this.env, SERVICES: service });
    p.onUnexpectedExit = () => {
      if (this.closing) return;
      this.restarts++;
      setTimeout(() => !this.closing && p.start(), 1000);
    };
    p.start();
    this.fleet.set(service, [...list, p]);
    return p;
  }

  /** Stops (SIGTERM, graceful) the newest process of `service`. */
  async removeInstance(service: ServiceName): Promise<void> {
    const list = this.fleet.get(service) ?? [];
    const p = list.pop();
    if (p) await p.stop();
  }

  /** Sends with retries: the broker may be restarting. */
  send(fn: () => Promise<void>): Promise<void> {
    return retrying(fn);
  }

  /** Publishes `count` orders in batches of 100; `afterBatch` may inject faults or extra traffic. */
  async publishOrders(count: number, afterBatch: (published: number) => Promise<void> = async () => undefined): Promise<void> {
    for (let i = 0; i < count; i += 100) {
      const orders = Array.from({ length: Math.min(100, count - i) }, (_, j) => this.traffic.order(i + j, this.skus));
      await this.send(() => this.traffic.submit(orders));
      this.orderIds.push(...orders.map((o) => o.orderId));
      await afterBatch(this.orderIds.length);
    }
  }

  /** Settled orders over time, one sample a second (recovery is read from it); one poller for every wait. */
  readonly progress: { t: number; settled: number }[] = [];
  private sampling: Promise<void> | undefined;

  /** Starts counting the run's orders in a terminal state (retrying through database restarts). */
  startProgress(): void {
    this.sampling ??= (async () => {
      while (!this.closing) {
        const r = await retrying(() => this.db.raw(`SELECT count(*)::int AS n FROM orders WHERE channel = 'bench' AND channel_order_ref LIKE ? AND state IN ('Delivered','Cancelled','Rejected')`, [`${this.runId}-%`]));
        this.progress.push({ t: Date.now(), settled: Number(r.rows[0].n) });
        await sleep(1000);
      }
    })();
  }

  get settled(): number {
    return this.progress[this.progress.length - 1]?.settled ?? 0;
  }

  /** Resolves once at least `fraction` of `total` orders are settled (or after `timeoutMs`). */
  async whenSettled(fraction: number, total: number, timeoutMs = 600_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.settled < Math.floor(fraction * total) && Date.now() < deadline) await sleep(250);
  }

  /** Waits until every order is settled, or no order has settled for `idleMs` (then the rest are reported lost). */
  async waitAllSettled(total: number, idleMs = 90_000): Promise<void> {
    let last = -1;
    let lastChange = Date.now();
    while (this.settled < total) {
      if (this.settled !== last) {
        last = this.settled;
        lastChange = Date.now();
      } else if (Date.now() - lastChange > idleMs) return;
      await sleep(250);
    }
  }

  /** Waits (bounded) until every service has consumed everything: late duplicates and redeliveries included. */
  async waitForLagZero(timeoutMs = 90_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // events still in the outbox (a send that failed, left to the relay) are work not yet consumed
      // too; read first, so an event sent between the two reads shows as lag
      const outbox = await this.outboxRowsLeft().catch(() => -1);
      const lag = await totalConsumerLag(this.admin, this.runId, this.topicsByService).catch(() => -1);
      const settled = outbox === 0 && lag === 0;
      if (settled || Date.now() > deadline) return lag;
      await sleep(1000);
    }
  }

  /** Postgres's count of deadlocked transactions in the run's database, and when its counters were last reset (a crash resets them). */
  async deadlocks(): Promise<{ count: number; since: string | null }> {
    const r = await retrying(() => this.db.raw(`SELECT deadlocks::int AS n, stats_reset::text AS since FROM pg_stat_database WHERE datname = current_database()`));
    return { count: Number(r.rows[0].n), since: r.rows[0].since };
  }

  /** Outbox rows of this run not sent yet (their topics carry the run's prefix). */
  async outboxRowsLeft(): Promise<number> {
    const r = await this.db.raw(`SELECT count(*)::int AS n FROM outbox_chunks WHERE topics[1] LIKE ?`, [`${this.runId}.%`]);
    return Number(r.rows[0].n);
  }

  topics(): Promise<string[]> {
    return retrying(async () => (await this.admin.listTopics()).filter((t) => t.startsWith(`${this.runId}.`)));
  }

  get rawProducer(): Producer {
    return this.producer;
  }

  get kafkaAdmin(): Admin {
    return this.admin;
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.sampling?.catch(() => undefined);
    await Promise.all([...this.fleet.values()].flat().map((p) => p.stop()));
    await this.warehouse?.stop().catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
    // the scenario's topics go with it (its diagnosis is printed by now): a broker that keeps every run's partitions runs out of file descriptors
    await deleteTopicsWithPrefix(this.admin, `${this.runId}.`).catch((err) => console.warn(`could not delete the scenario's topics: ${String(err)}`));
    await this.admin.disconnect().catch(() => undefined);
    await this.platform.db.destroy();
  }
}
