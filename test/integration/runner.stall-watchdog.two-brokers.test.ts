import { execFileSync } from 'child_process';
import path from 'path';
import { hashOfKey } from '../../shared/kafka/partitioner';
import type { ServiceDefinition } from '../../shared/runner/handler';
import { aSubmitOrder } from '../support/orders';
import { eventually, TestStack } from '../support/stack';

const STALL_TIMEOUT_MS = 10_000;
const PAIR = path.join(__dirname, '../../stack/kafka-pair.sh');
const PAIR_PORT = Number(process.env.KAFKA_PAIR_PORT ?? 19092);
const PAIR_BROKERS = `127.0.0.1:${PAIR_PORT},127.0.0.1:${PAIR_PORT + 2}`;

/** A test service whose handler never returns for the channel 'hangs' until the test lets it go. */
function serviceThatHangs(hangs: Promise<void>, handled: { eventId: string; at: number }[]): ServiceDefinition {
  return {
    name: 'hanging',
    consumes: ['orderCommands'],
    handlers: {
      'io.oms.commands.SubmitOrder': async (_ctx, cmd) => {
        if (cmd.channel === 'hangs') await hangs;
        handled.push({ eventId: cmd.eventId, at: Date.now() });
      },
    },
  };
}

/**
 * kafkajs fetches from each broker on its own: while a batch from one broker's partition hangs, the
 * other broker's partitions go on being fetched and handled, so the consumer as a whole keeps
 * showing signs of life. The runner watches each batch in hand too (StallWatchdog.track), and this
 * is the case that rule is for. It runs on a cluster of two brokers of its own (stack/kafka-pair.sh).
 */
describe('shared runner, two brokers: a batch hung on one broker is given up on while the other broker\'s partitions go on', () => {
  let stack: TestStack;
  let release!: () => void;
  const hangs = new Promise<void>((r) => (release = r));
  const handled: { eventId: string; at: number }[] = [];
  const gaveUp: { err: Error; at: number }[] = [];
  const partitionLedBy = new Map<number, number>();
  let partitions = 0;

  beforeAll(async () => {
    execFileSync('bash', [PAIR, 'up'], { stdio: 'pipe', timeout: 240_000 });
    stack = new TestStack({ KAFKA_BROKERS: PAIR_BROKERS, DATABASE_SERVICE_ROLES: 'false', RUNNER_STALL_TIMEOUT_MS: String(STALL_TIMEOUT_MS), RUNNER_FETCH_MAX_WAIT_MS: '200' });
    await stack.provision();
    const admin = stack.platform.kafka.admin();
    await admin.connect();
    try {
      const { topics: [commands] } = await admin.fetchTopicMetadata({ topics: [stack.topic('orderCommands')] });
      for (const p of commands!.partitions) partitionLedBy.set(p.partitionId, p.leader);
      partitions = commands!.partitions.length;
    } finally {
      await admin.disconnect();
    }
    await stack.startService(serviceThatHangs(hangs, handled), undefined, (err) => gaveUp.push({ err, at: Date.now() }));
  }, 300_000);
  afterAll(async () => {
    release();
    await stack?.close();
    execFileSync('bash', [PAIR, 'down'], { stdio: 'pipe', timeout: 120_000 });
  }, 180_000);

  /** A SubmitOrder whose key (its order id) lands on a partition led by `broker`. */
  function aCommandOnBroker(broker: number, channel: string) {
    for (;;) {
      const cmd = aSubmitOrder({ channel });
      if (partitionLedBy.get((hashOfKey(cmd.orderId) & 0x7fffffff) % partitions) === broker) return cmd;
    }
  }

  it('when a handler hangs on a partition of broker 1 while broker 2\'s partitions keep being handled, then after RUNNER_STALL_TIMEOUT_MS the batch is taken as hung, once', async () => {
    expect(new Set(partitionLedBy.values())).toEqual(new Set([1, 2])); // the case under test: both brokers lead partitions of the topic
    const first = aCommandOnBroker(1, 'web');
    await stack.publish('io.oms.commands.SubmitOrder', first);
    await eventually('a command on broker 1 handled', async () => handled.some((h) => h.eventId === first.eventId));

    await stack.publish('io.oms.commands.SubmitOrder', aCommandOnBroker(1, 'hangs'));
    const hangingSince = Date.now();
    // broker 2's partitions go on while the batch hangs: the consumer fetches and handles, so it never looks quiet as a whole
    let sent = 0;
    while (gaveUp.length === 0 && Date.now() - hangingSince < 3 * STALL_TIMEOUT_MS) {
      const cmd = aCommandOnBroker(2, 'web');
      await stack.publish('io.oms.commands.SubmitOrder', cmd);
      sent++;
      await eventually('a command on broker 2 handled during the hang', async () => handled.some((h) => h.eventId === cmd.eventId));
      await new Promise((r) => setTimeout(r, 500));
    }

    expect(gaveUp).toHaveLength(1);
    expect(gaveUp[0]!.err.message).toMatch(/a batch of hanging made no progress for \d+ ms/);
    expect(gaveUp[0]!.at - hangingSince).toBeGreaterThanOrEqual(STALL_TIMEOUT_MS);
    // commands on broker 2 were handled all along the hang, into its last seconds
    const duringHang = handled.filter((h) => h.at > hangingSince && h.at < gaveUp[0]!.at);
    expect(duringHang.length).toBeGreaterThanOrEqual(Math.min(sent - 1, STALL_TIMEOUT_MS / 2000));
    expect(gaveUp[0]!.at - duringHang[duringHang.length - 1]!.at).toBeLessThan(STALL_TIMEOUT_MS / 2);
  }, 120_000);
});
