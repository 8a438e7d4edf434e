import type { OutboxPublisher } from '../../shared/runner/outbox';
import { ConsumerRunner } from '../../shared/runner/consumer-runner';
import { eventually, TestStack } from '../support/stack';

/**
 * A stop that arrives while the runner is still starting (here: in the start-up's outbox drain)
 * waits for it to reach its next step and then undoes what it did: nothing starts after stop.
 */
describe('shared runner: stopped while starting', () => {
  const stack = new TestStack({ OUTBOX_RELAY_INTERVAL_MS: '100' });
  beforeAll(() => stack.provision());
  afterAll(() => stack.close());

  it('when stop is called during the start-up drain, then once both end no relay sweep runs and no consumer is in the group', async () => {
    let sweeps = 0;
    let release!: () => void;
    const drainHeld = new Promise<void>((r) => (release = r));
    // the port's double: the first sweep (the start-up drain) waits until the test lets it go, then finds the outbox empty
    const publisher: OutboxPublisher = {
      publish: async () => 0,
      sweep: async () => {
        sweeps++;
        if (sweeps === 1) {
          await drainHeld;
          return 1;
        }
        return 0;
      },
    };
    const runner = new ConsumerRunner(stack.service('intake'), { ...stack.platform, publisher });
    const started = runner.start();
    await eventually('start-up drain under way', async () => sweeps === 1);

    const stopped = runner.stop();
    release();
    await stopped;
    await started;

    const sweepsAtStop = sweeps;
    await new Promise((r) => setTimeout(r, 1000)); // ten relay intervals
    expect(sweeps).toBe(sweepsAtStop);
    const admin = stack.platform.kafka.admin();
    await admin.connect();
    const { groups } = await admin.describeGroups([`g-${stack.prefix}-intake`]);
    await admin.disconnect();
    expect(groups[0]!.members).toHaveLength(0);
  }, 60_000);
});
