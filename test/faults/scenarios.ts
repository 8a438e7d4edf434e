import { execFile, execFileSync } from 'child_process';
import { randomBytes, randomUUID } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { promisify } from 'util';
import type { KafkaMessage } from 'kafkajs';
import { retrying } from '../../bench/traffic';
import { newEnvelope } from '../../shared/contracts/envelope';
import { FaultHarness, SERVICES, ServiceName, sleep } from './harness';

const runCommand = promisify(execFile);

export interface FaultWindow {
  startedAt: number;
  endedAt: number;
}

export interface Scenario {
  name: string;
  /** Injects the faults while the orders run; resolves when the last fault has ended. */
  inject(h: FaultHarness, total: number): Promise<FaultWindow>;
  /** Extra traffic sent with every batch of 100 orders (the poison flood). */
  withEveryBatch?(h: FaultHarness, published: number): Promise<void>;
  /** Poison messages sent, each keyed uniquely, that must all be dead-lettered. */
  poisonSent?: () => number;
  /**
   * Process restarts the scenario must end with, where it decides them: none where no process is
   * killed and the stack stays up (a restart there is a consumer taken as hung, or a crash on bad
   * input). Unchecked where a restart of the broker or of Postgres may make a consumer give up.
   */
  restartsExpected?: number;
}

const ROOT = join(__dirname, '..', '..');
const STACK_DIR = process.env.STACK_DIR ?? join(ROOT, '.stack');
const shuffle = <T>(xs: T[]): T[] => xs.map((x) => [Math.random(), x] as const).sort((a, b) => a[0] - b[0]).map(([, x]) => x);

/** 1. kill -9 every service once, two at a time, at random moments; the supervisor restarts them. */
export const killNine: Scenario = {
  name: 'kill -9 each service',
  restartsExpected: SERVICES.length, // the killed ones, and nothing else
  async inject(h, total) {
    const order = shuffle([...SERVICES]);
    const window = { startedAt: 0, endedAt: 0 };
    for (let round = 0; round < 3; round++) {
      await h.whenSettled(0.1 + round * 0.2 + Math.random() * 0.08, total, 120_000);
      window.startedAt ||= Date.now();
      for (const s of order.slice(round * 2, round * 2 + 2)) h.fleet.get(s)![0]!.kill9();
      await sleep(1500);
    }
    window.endedAt = Date.now();
    return window;
  },
};

/** 2. The Kafka broker stopped, kept down FAULT_BROKER_DOWN_MS, and started again while orders run. */
export const brokerRestart: Scenario = {
  name: 'Kafka broker restart',
  async inject(h, total) {
    await h.whenSettled(0.3, total, 120_000);
    const startedAt = Date.now();
    const pid = Number(readFileSync(join(STACK_DIR, 'kafka', 'pid'), 'utf8'));
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 60_000;
    while (isAlive(pid) && Date.now() < deadline) await sleep(200);
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    // as long as a restart took on CI's machine (stop 20): long enough for kafkajs to give some consumers up
    await sleep(Number(process.env.FAULT_BROKER_DOWN_MS ?? 15_000));
    // not execFileSync: the harness is the channel and the warehouse, which a broker restart does
    // not freeze; blocked for up.sh's 20 s, the warehouse's consumer missed its heartbeats and
    // hung on a dead connection, holding every order for up to a minute after the broker was back
    await runCommand('bash', [join(ROOT, 'stack', 'up.sh')]);
    return { startedAt, endedAt: Date.now() };
  },
};

/** 3. Postgres: the fleet's connections killed twice, then the server restarted. */
export const postgresRestart: Scenario = {
  name: 'Postgres restart + killed backends',
  async inject(h, total) {
    const terminate = () =>
      retrying(() =>
        h.db.raw(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name LIKE 'oms%'`),
      );
    await h.whenSettled(0.15, total, 120_000);
    const startedAt = Date.now();
    await terminate();
    await h.whenSettled(0.3, total, 120_000);
    await terminate();
    await h.whenSettled(0.45, total, 120_000);
    const [version, cluster] = (process.env.FAULTS_PG_CLUSTER ?? execFileSync('pg_lsclusters', ['-h'], { encoding: 'utf8' }).split('\n')[0]!.split(/\s+/).slice(0, 2).join(' ')).split(' ');
    await runCommand('pg_ctlcluster', ['--skip-systemctl-redirect', version!, cluster!, 'restart', '-m', 'fast']);
    return { startedAt, endedAt: Date.now() };
  },
};

/**
 * 4. Every topic's messages re-sent (same bytes, same eventId): a quarter at once, a tenth a few
 * seconds later, after newer events (reordered across topics); every tenth order cancelled at a
 * random moment, racing its reservation, payment or shipment; and another tenth given an added
 * line at a random moment, racing its fraud check, reservation, payment or fulfilment (the line
 * is scored, reserved and paid for, or refused).
 */
export const duplicatesAndReordering: Scenario = {
  name: 'duplicates, redeliveries, reordering, racing cancels',
  restartsExpected: 0,
  async inject(h, total) {
    const startedAt = Date.now();
    const topics = (await h.topics()).filter((t) => !t.endsWith('.dlq'));
    const chaos = h.platform.kafka.consumer({ groupId: `${h.runId}-chaos`, maxWaitTimeInMs: 100 });
    await chaos.connect();
    await chaos.subscribe({ topics, fromBeginning: true });
    const resend = (topic: string, m: KafkaMessage) => h.send(async () => void (await h.rawProducer.send({ topic, messages: [{ key: m.key, value: m.value, headers: m.headers }] })));
    const pending: Promise<void>[] = [];
    let copies = 0;
    await chaos.run({
      eachMessage: async ({ topic, message }) => {
        const roll = Math.random();
        if (roll < 0.25) {
          copies++;
          await resend(topic, message);
        } else if (roll < 0.35) {
          copies++;
          pending.push(sleep(2000 + Math.random() * 3000).then(() => resend(topic, message)));
        }
      },
    });
    const cancels: Promise<void>[] = [];
    for (let i = 0; i < h.orderIds.length; i += 10) {
      const orderId = h.orderIds[i]!;
      cancels.push(
        sleep(Math.random() * 8000).then(() =>
          h.send(() => h.traffic.send('io.oms.commands.CancelOrder', [{ key: orderId, value: { ...h.traffic.envelope(orderId), reason: 'customer_request', requestedBy: 'fault-suite', detail: null } }], 'orderCommands')),
        ),
      );
    }
    const additions: Promise<void>[] = [];
    for (let i = 5; i < h.orderIds.length; i += 10) {
      const orderId = h.orderIds[i]!;
      const line = { sku: h.skus[i % h.skus.length]!, name: 'Added item', quantity: 1, unitPriceMinor: 500, weightGrams: 100 };
      additions.push(
        sleep(Math.random() * 8000).then(() =>
          h.send(() => h.traffic.send('io.oms.commands.AddLineItem', [{ key: orderId, value: { ...h.traffic.envelope(orderId), line, requestedBy: 'fault-suite' } }], 'orderCommands')),
        ),
      );
    }
    await Promise.all([...cancels, ...additions]);
    await h.waitAllSettled(total, 60_000);
    await chaos.disconnect();
    await Promise.all(pending);
    console.log(`  ${copies} messages re-sent, ${cancels.length} cancels and ${additions.length} added lines raced`);
    return { startedAt, endedAt: Date.now() };
  },
};

/** 5. inventory and payment scaled from 1 to 3 instances and back while orders run (rebalances). */
export const scaleOutAndIn: Scenario = {
  name: 'scale 1 → 3 → 1 (inventory, payment)',
  restartsExpected: 0,
  async inject(h, total) {
    const scaled: ServiceName[] = ['inventory', 'payment'];
    await h.whenSettled(0.2, total, 120_000);
    const startedAt = Date.now();
    for (const s of scaled) for (let i = 0; i < 2; i++) h.addInstance(s);
    await h.whenSettled(0.55, total, 180_000);
    for (const s of scaled) for (let i = 0; i < 2; i++) await h.removeInstance(s);
    return { startedAt, endedAt: Date.now() };
  },
};

/**
 * 6. 10,000 poison messages on the command topic, mixed into the orders: bytes, unknown schema ids,
 * valid Avro with content the runner refuses as it decodes (an order id that is not a UUID), and
 * valid Avro that only the transaction can refuse (a line added to an order that does not exist).
 */
export function poisonFlood(poisonCount: number): Scenario {
  let sent = 0;
  return {
    name: 'poison flood',
    poisonSent: () => sent,
    restartsExpected: 0,
    async withEveryBatch(h, published) {
      const share = Math.ceil(poisonCount / Math.ceil(h.expectedOrders / 100));
      const n = Math.min(share, poisonCount - sent);
      const messages: { key: string; value: Buffer }[] = [];
      for (let i = 0; i < n; i++) {
        const key = `poison-${sent + i}`;
        const kind = (sent + i) % 4;
        if (kind === 0) messages.push({ key, value: randomBytes(16 + ((sent + i) % 200)) });
        else if (kind === 1) messages.push({ key, value: Buffer.concat([Buffer.from([0, 0x7f, 0xff, 0xff, 0x00]), randomBytes(24)]) });
        else if (kind === 2) messages.push({ key, value: await h.platform.codec.encode(h.traffic.topic('orderCommands'), 'io.oms.commands.AddLineItem', lineForNoOrder()) });
        else messages.push({ key, value: await h.platform.codec.encode(h.traffic.topic('orderCommands'), 'io.oms.commands.SubmitOrder', { ...h.traffic.order(published + i, h.skus), orderId: `not-a-uuid-${sent + i}` } as never) });
      }
      sent += n;
      if (messages.length) await h.send(async () => void (await h.rawProducer.send({ topic: h.traffic.topic('orderCommands'), messages })));
    },
    async inject() {
      const now = Date.now();
      return { startedAt: now, endedAt: now };
    },
  };
}

/** An AddLineItem for an order that was never placed: intake can refuse it only once its transaction finds no order. */
function lineForNoOrder() {
  const orderId = randomUUID();
  return { ...newEnvelope('fault-suite', orderId), orderId, line: { sku: 'SKU-POISON', name: 'Poison', quantity: 1, unitPriceMinor: 100, weightGrams: 10 }, requestedBy: 'fault-suite' } as never;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
