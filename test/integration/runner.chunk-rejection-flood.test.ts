import { permanent } from '../../shared/errors';
import type { ServiceDefinition } from '../../shared/runner/handler';
import { dlqName } from '../../shared/topics';
import { aSubmitOrder } from '../support/orders';
import { eventually, TestStack } from '../support/stack';

const PAIRS = 150;
const MESSAGES = 2 * PAIRS;

/**
 * A test service whose handler can tell a command is unfit only from the database (as intake's
 * AddLineItem for an order that does not exist): it reads first, then rejects those of the channel
 * 'rejected' for good. It counts every run of its handler, committed or rolled back.
 */
function serviceThatRejectsAfterReading(runs: { n: number }): ServiceDefinition {
  return {
    name: 'rejecting-after-read',
    consumes: ['orderCommands'],
    handlers: {
      'io.oms.commands.SubmitOrder': async (ctx, cmd) => {
        runs.n += 1;
        await ctx.trx.raw('SELECT 1');
        if (cmd.channel === 'rejected') throw permanent('invalid_payload', 'rejected on purpose by the test');
      },
    },
  };
}

/**
 * Each rejection a handler finds in the transaction rolls its chunk back, and the chunk runs again
 * without the rejected message. Run whole each time, a chunk of n messages with n/2 rejected ones
 * among them cost about n²/8 handler runs (11,600 here): a flood of such commands made a chunk of
 * 2,000 run about half a million handlers. The reruns are bounded: the handler runs stay linear in
 * the chunk's size.
 */
describe('shared runner: a chunk flooded with messages its handler rejects inside the transaction', () => {
  const stack = new TestStack({ DATABASE_SERVICE_ROLES: 'false' });
  afterAll(() => stack.close());

  it(`when every other one of a chunk's ${MESSAGES} messages is rejected by its handler, then each rejected one is dead-lettered, every good one commits once, and the handler runs at most 7 times per message in all (not once per rerun of the whole chunk)`, async () => {
    await stack.provision();
    const dlq = dlqName(stack.topic('orderCommands'));
    await stack.watch([dlq]);
    const commands = Array.from({ length: MESSAGES }, (_, i) => aSubmitOrder({ channel: i % 2 === 1 ? 'rejected' : 'web' }));
    const topic = stack.topic('orderCommands');
    const messages = await Promise.all(commands.map(async (c) => ({ key: c.orderId, partition: 0, value: await stack.platform.codec.encode(topic, 'io.oms.commands.SubmitOrder', c) })));
    await stack.sendRaw('orderCommands', messages); // on one partition before the service starts: one fetch, one chunk
    const runs = { n: 0 };
    await stack.startService(serviceThatRejectsAfterReading(runs));

    const dead = await eventually('every rejected command dead-lettered', async () => {
      const found = stack.messages((m) => m.topic === dlq);
      return found.length >= PAIRS ? found : undefined;
    }, 120_000);
    const rejectedIds = commands.filter((c) => c.channel === 'rejected').map((c) => c.orderId);
    expect(dead.map((d) => d.key).sort()).toEqual(rejectedIds.sort());
    const goodIds = commands.filter((c) => c.channel !== 'rejected').map((c) => c.eventId);
    await eventually('the good commands committed', async () => Number((await stack.db('inbox').where({ consumer: 'rejecting-after-read' }).whereIn('event_id', goodIds).count({ n: '*' }))[0]!.n) === PAIRS);
    expect(runs.n).toBeLessThanOrEqual(7 * MESSAGES);
  }, 180_000);
});
