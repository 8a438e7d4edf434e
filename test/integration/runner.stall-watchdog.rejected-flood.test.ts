import { permanent } from '../../shared/errors';
import type { ServiceDefinition } from '../../shared/runner/handler';
import { dlqName } from '../../shared/topics';
import { aSubmitOrder } from '../support/orders';
import { eventually, TestStack } from '../support/stack';

const STALL_TIMEOUT_MS = 10_000;
const GOOD = 16;
const REJECTED = 30;
const WORK_MS = 30;
/** Each rejected one alone takes a twentieth of the stall timeout: the reruns add up past it, though each is short. */
const REJECT_MS = STALL_TIMEOUT_MS / 20;

/** A test service that takes WORK_MS per good command, REJECT_MS per command of the channel 'rejected', which it rejects for good. */
function serviceThatRejects(): ServiceDefinition {
  return {
    name: 'rejecting',
    consumes: ['orderCommands'],
    handlers: {
      'io.oms.commands.SubmitOrder': async (_ctx, cmd) => {
        const rejected = cmd.channel === 'rejected';
        await new Promise((r) => setTimeout(r, rejected ? REJECT_MS : WORK_MS));
        if (rejected) throw permanent('invalid_payload', 'rejected on purpose by the test');
      },
    },
  };
}

/**
 * A chunk holding many messages its handler rejects for good runs again once per rejected message
 * (each dead-lettered and taken out; ChunkReruns). That is slow but it is progress: the stall watchdog must not
 * take the batch as hung while it goes on, or the restarted process would redo the chunk and be
 * restarted again (the fault suite's poison flood was restarted once, on a slow machine).
 */
describe('shared runner: a long run of rejected messages in one chunk is progress, not a hang', () => {
  const stack = new TestStack({ DATABASE_SERVICE_ROLES: 'false', RUNNER_STALL_TIMEOUT_MS: String(STALL_TIMEOUT_MS) });
  const gaveUp: Error[] = [];
  afterAll(() => stack.close());

  it(`when ${REJECTED} of a chunk's ${GOOD + REJECTED} messages are rejected one run after another for longer than RUNNER_STALL_TIMEOUT_MS, then each is dead-lettered, the rest commit, and the runner is not given up on`, async () => {
    await stack.provision();
    const dlq = dlqName(stack.topic('orderCommands'));
    await stack.watch([dlq]);
    // the rejected ones last: each run handles every good one before it meets the next rejected one
    const commands = [...Array.from({ length: GOOD }, () => aSubmitOrder({ channel: 'web' })), ...Array.from({ length: REJECTED }, () => aSubmitOrder({ channel: 'rejected' }))];
    const topic = stack.topic('orderCommands');
    const messages = await Promise.all(commands.map(async (c) => ({ key: c.orderId, partition: 0, value: await stack.platform.codec.encode(topic, 'io.oms.commands.SubmitOrder', c) })));
    await stack.sendRaw('orderCommands', messages); // on one partition before the service starts: one fetch, one chunk
    const startedAt = Date.now();
    await stack.startService(serviceThatRejects(), undefined, (err) => gaveUp.push(err));

    const dead = await eventually('every rejected command dead-lettered', async () => {
      const found = stack.messages((m) => m.topic === dlq);
      return found.length >= REJECTED ? found : undefined;
    }, 120_000);
    // the case under test: the reruns took longer than the stall timeout
    expect(Date.now() - startedAt).toBeGreaterThan(STALL_TIMEOUT_MS);
    expect(dead).toHaveLength(REJECTED);
    const goodIds = commands.slice(0, GOOD).map((c) => c.eventId);
    await eventually('the good commands committed', async () => Number((await stack.db('inbox').where({ consumer: 'rejecting' }).whereIn('event_id', goodIds).count({ n: '*' }))[0]!.n) === GOOD);
    expect(gaveUp.map((e) => e.message)).toEqual([]);
  }, 180_000);
});
