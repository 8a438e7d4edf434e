import { spawn } from 'child_process';
import { join } from 'path';
import { aSubmitOrder } from '../support/orders';
import { eventually, TestStack } from '../support/stack';
import { scratchDatabase } from '../support/database';
import { testEnv } from '../support/env';

describe('the fleet process', () => {
  const stack = new TestStack();
  beforeAll(() => stack.provision());
  afterAll(() => stack.close());

  /** A fleet process of intake only, with its output and exit code. */
  function spawnFleet(extraEnv: Record<string, string> = {}) {
    const env = testEnv({ KAFKA_TOPIC_PREFIX: stack.prefix, KAFKA_GROUP_PREFIX: `g-${stack.prefix}`, SERVICES: 'intake', LOG_LEVEL: 'info', ...extraEnv });
    const child = spawn(process.execPath, [join(__dirname, '../../node_modules/.bin/ts-node'), '--transpile-only', join(__dirname, '../../services/fleet.ts')], { env });
    const log = { out: '' };
    child.stdout.on('data', (d) => (log.out += d));
    child.stderr.on('data', (d) => (log.out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, log, exited };
  }

  /** spawnFleet, once it is consuming. */
  async function startFleet(extraEnv: Record<string, string> = {}) {
    const fleet = spawnFleet(extraEnv);
    await eventually('fleet running', async () => fleet.log.out.includes('fleet running'), 45000);
    return fleet;
  }

  it('when its database was never migrated, then it exits 1 and says to run npm run provision instead of a stack trace', async () => {
    const unmigrated = await scratchDatabase(stack.db, 'oms_unmigrated');
    try {
      const { log, exited } = spawnFleet({ KAFKA_GROUP_PREFIX: `g-${stack.prefix}-unmigrated`, DATABASE_URL: unmigrated.url });
      expect(await exited).toBe(1);
      expect(log.out).toContain('has no outbox_chunks table: run `npm run provision`');
      expect(log.out).not.toContain('parseErrorMessage');
    } finally {
      await unmigrated.drop();
    }
  }, 90000);

  it('when its stop outlasts FLEET_STOP_TIMEOUT_MS, then it exits 1 and says so', async () => {
    // its own group: a member that exits without leaving stays in its group until the session times out
    const { child, log, exited } = await startFleet({ FLEET_STOP_TIMEOUT_MS: '1', KAFKA_GROUP_PREFIX: `g-${stack.prefix}-timeout` });
    child.kill('SIGTERM');
    expect(await exited).toBe(1);
    expect(log.out).toContain('did not stop in time');
  }, 90000);

  it('when it gets SIGTERM, then it finishes, commits its offsets, leaves the group and exits 0', async () => {
    const { child, log, exited } = await startFleet();
    const out = () => log.out;

    const cmd = aSubmitOrder();
    await stack.publish('io.oms.commands.SubmitOrder', cmd);
    await eventually('order stored', () => stack.db('orders').where({ order_id: cmd.orderId }).first());
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out()).toContain('"msg":"stopped"');
    expect(out()).not.toContain('did not stop in time');

    const admin = stack.platform.kafka.admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId: `g-${stack.prefix}-intake`, topics: [stack.topic('orderCommands')] });
    const ends = await admin.fetchTopicOffsets(stack.topic('orderCommands'));
    const group = await admin.describeGroups([`g-${stack.prefix}-intake`]);
    await admin.disconnect();
    const total = (xs: { offset: string }[]) => xs.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    expect(total(committed!.partitions)).toBe(total(ends));
    expect(group.groups[0]!.members).toHaveLength(0);
  }, 90000);
});
