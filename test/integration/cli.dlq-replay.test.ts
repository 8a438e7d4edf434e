import { execFile } from 'child_process';
import { join } from 'path';
import { promisify } from 'util';
import { DLQ_HEADERS } from '../../shared/runner/dlq';
import { aSubmitOrder } from '../support/orders';
import { SagaDriver } from '../support/saga';
import { eventually, TestStack } from '../support/stack';
import { testEnv } from '../support/env';

const run = promisify(execFile);

/** The support CLI as a user runs it: a child process against the real stack. */
describe('support CLI', () => {
  const stack = new TestStack();
  const saga = new SagaDriver(stack);
  const cli = async (...args: string[]) => {
    const env = testEnv({ KAFKA_TOPIC_PREFIX: stack.prefix, KAFKA_GROUP_PREFIX: `g-${stack.prefix}` });
    const { stdout } = await run(process.execPath, [join(__dirname, '../../node_modules/.bin/ts-node'), '--transpile-only', join(__dirname, '../../services/cli/main.ts'), ...args], { env, timeout: 60000 });
    return stdout;
  };

  beforeAll(async () => {
    await stack.provision();
    await stack.startService(stack.service('intake'));
  }, 120000);
  afterAll(() => stack.close());

  it('when a dead-lettered command is replayed after its cause is fixed, then it is processed; a dry run moves nothing and a second replay finds nothing', async () => {
    const later = aSubmitOrder();
    // The line arrives before its order exists: dead-lettered as invalid_payload.
    const add = await saga.addLine(later.orderId, { sku: 'SKU-TEA', name: 'Tea', quantity: 1, unitPriceMinor: 899, weightGrams: 1 });
    const listed = await eventually('listed in the DLQ', async () => {
      const out = JSON.parse(await cli('--json', 'dlq', 'list', '--topic', 'oms.order-commands'));
      return out.length === 1 ? out : null;
    });
    expect(listed[0]).toMatchObject({ reason: 'invalid_payload', error: expect.stringContaining('unknown order'), sourceTopic: stack.topic('orderCommands') });

    const dry = JSON.parse(await cli('dlq', 'replay', '--topic', 'oms.order-commands', '--dry-run'));
    expect(dry).toMatchObject({ dryRun: true, count: 1 });

    await stack.publish('io.oms.commands.SubmitOrder', later); // the cause is fixed: the order exists
    await saga.waitForState(later.orderId, 'Pending');
    expect(await stack.db('order_lines').where({ order_id: later.orderId })).toHaveLength(2);

    const replay = JSON.parse(await cli('dlq', 'replay', '--topic', 'oms.order-commands'));
    expect(replay).toMatchObject({ dryRun: false, count: 1, messages: [{ reason: 'invalid_payload', to: stack.topic('orderCommands') }] });
    const line = await eventually('line added', async () => stack.db('order_lines').where({ order_id: later.orderId, line_id: `A-${add.eventId}` }).first());
    expect(line.status).toBe('pending');
    expect(JSON.parse(await cli('dlq', 'replay', '--topic', 'oms.order-commands'))).toMatchObject({ count: 0 });
  }, 120000);

  it('when a letter was dead-lettered longer ago than INBOX_RETENTION_HOURS, then replay refuses, sending nothing, until --force', async () => {
    const producer = stack.platform.kafka.producer();
    await producer.connect();
    const source = stack.topic('orderCommands');
    const at = new Date(Date.now() - 200 * 3_600_000).toISOString(); // past the 168 h default
    await producer.send({ topic: `${source}.dlq`, acks: -1, messages: [{ key: 'old', value: Buffer.from('old letter'), headers: {
      [DLQ_HEADERS.reason]: 'undecodable', [DLQ_HEADERS.error]: 'not the wire format', [DLQ_HEADERS.sourceTopic]: source, [DLQ_HEADERS.sourcePartition]: '0',
      [DLQ_HEADERS.sourceOffset]: '0', [DLQ_HEADERS.consumer]: 'intake', [DLQ_HEADERS.at]: at,
    } }] });
    await producer.disconnect();
    const refused = await cli('dlq', 'replay', '--topic', 'oms.order-commands').then(() => 'exited 0', (e: { code?: number; stderr?: string }) => `${e.code}: ${e.stderr?.trim()}`);
    expect(refused).toMatch(/^1: error: 1 of the letters to replay .* more than INBOX_RETENTION_HOURS \(168 h\) ago.*Nothing was sent/);
    expect(JSON.parse(await cli('dlq', 'replay', '--topic', 'oms.order-commands', '--force'))).toMatchObject({ count: 1, messages: [{ reason: 'undecodable', to: source }] });
  }, 120000);

  it('prints an order with its history, as a table and as JSON', async () => {
    const cmd = aSubmitOrder();
    await stack.publish('io.oms.commands.SubmitOrder', cmd);
    await saga.waitForState(cmd.orderId, 'Pending');
    expect(await cli('order', 'get', cmd.orderId)).toMatch(/│\s+│\s+Pending\s+│\s+SubmitOrder/);
    expect(JSON.parse(await cli('--json', 'order', 'get', cmd.orderId))).toMatchObject({ order_id: cmd.orderId, state: 'Pending' });
    expect(JSON.parse(await cli('--json', 'order', 'list', '--state', 'Pending', '--limit', '100')).orders.map((o: { order_id: string }) => o.order_id)).toContain(cmd.orderId);
    const lag = JSON.parse(await cli('--json', 'lag'));
    expect(lag).toEqual(expect.arrayContaining([expect.objectContaining({ group: `g-${stack.prefix}-intake`, topic: stack.topic('orderCommands') })]));
    expect(JSON.parse(await cli('--json', 'schemas', 'check')).every((r: { compatible: boolean }) => r.compatible)).toBe(true);
  }, 120000);

  it('when a count or an order id is one the command cannot use, then it exits 1 naming it, before reading or publishing anything', async () => {
    const refused = async (...args: string[]) => cli(...args).then(() => 'exited 0', (e: { code?: number; stderr?: string }) => `${e.code}: ${e.stderr?.trim()}`);
    expect(await refused('dlq', 'list', '--limit', '0')).toMatch(/^1: error: --limit must be a whole number of at least 1, not "0"/);
    expect(await refused('dlq', 'replay', '--topic', 'oms.order-commands', '--limit', 'abc')).toMatch(/^1: error: --limit must be a whole number of at least 1, not "abc"/);
    expect(await refused('order', 'list', '--limit', '-1')).toMatch(/^1: error: --limit must be a whole number/);
    expect(await refused('order', 'cancel', 'urn:uuid:0193a1b2-c3d4-7001-8000-000000000000')).toMatch(/^1: error: orderId "urn:uuid:.*" is not a UUID/);
    expect(await refused('order', 'release-hold', '42')).toMatch(/^1: error: orderId "42" is not a UUID/);
  }, 120000);
});
