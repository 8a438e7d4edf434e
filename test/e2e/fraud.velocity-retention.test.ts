import { randomUUID } from 'crypto';
import { ConfigError, loadConfig } from '../../shared/config';
import { createFraud } from '../../services/fraud';
import { loadFraudRules } from '../../services/fraud/rules';
import { stackOnScratchDatabase } from '../support/database';
import { aSubmitOrder } from '../support/orders';
import { SagaDriver } from '../support/saga';
import { eventually, type TestStack } from '../support/stack';

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);

/**
 * Fraud keeps velocity keys for FRAUD_VELOCITY_RETENTION_HOURS and no longer, without shortening
 * any window. On a database of its own: the pruning deletes every old key, other test files' too.
 */
describe('fraud velocity keys past their retention', () => {
  let scratch: Awaited<ReturnType<typeof stackOnScratchDatabase>>;
  let stack: TestStack;
  let saga: SagaDriver;

  beforeAll(async () => {
    scratch = await stackOnScratchDatabase('oms_velocity_retention', { FRAUD_VELOCITY_RETENTION_HOURS: '2', FRAUD_VELOCITY_PRUNE_INTERVAL_MS: '200' });
    stack = scratch.stack;
    saga = new SagaDriver(stack);
    await stack.provision();
  }, 120_000);
  afterAll(() => scratch?.close());

  it('when fraud runs, then keys older than the retention are deleted, the window\'s keys are kept and still counted, and new orders add theirs', async () => {
    const card = `tok_approve_retention_${randomUUID().slice(0, 8)}`;
    const key = (orderId: string, at: Date) => ({ kind: 'payment_token', value: card, order_id: orderId, at });
    const expired = Array.from({ length: 5002 }, () => key(randomUUID(), hoursAgo(3)));
    const withinWindow = [1, 2, 3].map((i) => key(randomUUID(), new Date(Date.now() - i * 60_000)));
    const pastWindowWithinRetention = key(randomUUID(), hoursAgo(1.5));
    await stack.db.batchInsert('fraud_velocity', [...expired, ...withinWindow, pastWindowWithinRetention], 1000);

    await stack.startService(stack.service('intake'));
    await stack.startService(stack.service('fraud'));
    await eventually('expired keys deleted', async () => Number((await stack.db('fraud_velocity').where('at', '<', hoursAgo(2)).count({ n: '*' }).first())!.n) === 0, 30_000);
    const kept = await stack.db('fraud_velocity').where({ value: card }).pluck('order_id');
    expect(kept.sort()).toEqual([...withinWindow, pastWindowWithinRetention].map((k) => k.order_id).sort());

    // a fourth order on the card within the hour is still held for review: the window lost nothing
    const fourth = aSubmitOrder({ payment: { method: 'card', token: card, billingCountry: 'US' } });
    await stack.publish('io.oms.commands.SubmitOrder', fourth);
    await saga.waitForState(fourth.orderId, 'On_Hold');
    expect(await stack.db('fraud_checks').where({ order_id: fourth.orderId }).first()).toMatchObject({ decision: 'review', reasons: ['velocity_payment_token:4_in_60m'] });
    expect(await stack.db('fraud_velocity').where({ order_id: fourth.orderId }).pluck('kind')).toEqual(expect.arrayContaining(['customer', 'email', 'payment_token']));
  }, 90_000);

  it('when the retention is shorter than the velocity window, then fraud refuses to start and says why', () => {
    const config = loadConfig({ ...process.env, FRAUD_VELOCITY_RETENTION_HOURS: '1' });
    const fraudRules = loadFraudRules(config.FRAUD_RULES_FILE);
    const twoHourWindow = { ...fraudRules, velocity: { ...fraudRules.velocity, windowMinutes: 120 } };
    expect(() => createFraud({ config, fraudRules: twoHourWindow })).toThrow(ConfigError);
    expect(() => createFraud({ config, fraudRules: twoHourWindow })).toThrow(/FRAUD_VELOCITY_RETENTION_HOURS: 1 h is shorter than the velocity window .* \(120 minutes\)/);
    expect(createFraud({ config, fraudRules }).housekeeping?.map((h) => h.name)).toEqual(['velocity-retention']);
  });
});
