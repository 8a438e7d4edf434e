import type { ServiceDefinition } from '../../shared/runner/handler';
import { aSubmitOrder } from '../support/orders';
import { eventually, TestStack } from '../support/stack';

const STALL_TIMEOUT_MS = 10_000;

/** A test service whose handler never returns for one channel until the test lets it go. */
function serviceThatHangs(name: string, hangs: Promise<void>, handled: string[]): ServiceDefinition {
  return {
    name,
    consumes: ['orderCommands'],
    handlers: {
      'io.oms.commands.SubmitOrder': async (_ctx, cmd) => {
        if (cmd.channel === 'hangs') await hangs;
        handled.push(cmd.eventId);
      },
    },
  };
}

describe('shared runner: a consumer that hangs is given up on, an idle one is not', () => {
  const stack = new TestStack({ DATABASE_SERVICE_ROLES: 'false', RUNNER_STALL_TIMEOUT_MS: String(STALL_TIMEOUT_MS) });
  let release!: () => void;
  const hangs = new Promise<void>((r) => (release = r));
  const handled: string[] = [];
  const gaveUp: { service: string; err: Error; at: number }[] = [];
  let startedAt = 0;

  beforeAll(async () => {
    await stack.provision();
    startedAt = Date.now();
    // two groups on the same topic: both get every command; only the first hangs on one
    await stack.startService(serviceThatHangs('hanging', hangs, handled), undefined, (err) => gaveUp.push({ service: 'hanging', err, at: Date.now() }));
    await stack.startService(serviceThatHangs('idle', Promise.resolve(), []), undefined, (err) => gaveUp.push({ service: 'idle', err, at: Date.now() }));
  });
  afterAll(async () => {
    release();
    await stack.close();
  });

  it('when a handler never returns, then after RUNNER_STALL_TIMEOUT_MS without a sign of life the runner gives up, once; a consumer with nothing to do keeps going', async () => {
    const before = aSubmitOrder({ channel: 'web' });
    await stack.publish('io.oms.commands.SubmitOrder', before);
    await eventually('the first command handled', async () => handled.includes(before.eventId));
    const hangingSince = Date.now();
    await stack.publish('io.oms.commands.SubmitOrder', aSubmitOrder({ channel: 'hangs' }));

    const [stall] = await eventually('the hanging runner given up on', async () => gaveUp.filter((g) => g.service === 'hanging'), 3 * STALL_TIMEOUT_MS);
    expect(stall!.err.message).toMatch(/hanging showed no sign of life for \d+ ms/);
    expect(stall!.at - hangingSince).toBeGreaterThanOrEqual(STALL_TIMEOUT_MS);
    // by now the idle runner has had more than the timeout with nothing to fetch
    expect(Date.now() - startedAt).toBeGreaterThan(STALL_TIMEOUT_MS);
    expect(gaveUp.map((g) => g.service)).toEqual(['hanging']);
  }, 60_000);
});
