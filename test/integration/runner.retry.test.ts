import { transient, permanent } from '../../shared/errors';
import type { ServiceDefinition } from '../../shared/runner/handler';
import { DLQ_HEADERS } from '../../shared/runner/dlq';
import { dlqName } from '../../shared/topics';
import { aSubmitOrder } from '../support/orders';
import { eventually, TestStack } from '../support/stack';

/** A service of the test's own, so the runner's retry rules are driven without touching intake. */
function flakyService(failures: Map<string, number>, effects: string[]): ServiceDefinition {
  return {
    name: 'flaky',
    consumes: ['orderCommands'],
    handlers: {
      'io.oms.commands.SubmitOrder': async (ctx, cmd) => {
        await ctx.trx('inbox').insert({ consumer: 'flaky-effect', event_id: cmd.eventId }); // rolled back on failure
        const left = failures.get(cmd.channelOrderRef) ?? 0;
        if (cmd.channel === 'poison') throw permanent('invalid_payload', 'this order can never be processed');
        if (left > 0) {
          failures.set(cmd.channelOrderRef, left - 1);
          throw transient('gateway_timeout', `simulated timeout, ${left} left`);
        }
        effects.push(cmd.eventId);
      },
    },
  };
}

describe('shared runner: retriable failures retry and never skip; permanent ones dead-letter', () => {
  const stack = new TestStack({ DATABASE_SERVICE_ROLES: 'false' }); // a test-only service: no Postgres role oms_flaky
  const failures = new Map<string, number>();
  const effects: string[] = [];

  beforeAll(async () => {
    await stack.provision();
    await stack.watch([dlqName(stack.topic('orderCommands'))]);
    await stack.startService(flakyService(failures, effects));
  });
  afterAll(() => stack.close());

  it('when a handler times out three times, then the message is retried until it succeeds, once, and nothing is dead-lettered', async () => {
    const cmd = aSubmitOrder();
    failures.set(cmd.channelOrderRef, 3);
    await stack.publish('io.oms.commands.SubmitOrder', cmd);
    await eventually('handled', async () => effects.includes(cmd.eventId));
    expect(failures.get(cmd.channelOrderRef)).toBe(0);
    expect(effects.filter((e) => e === cmd.eventId)).toHaveLength(1);
    expect(await stack.db('inbox').where({ consumer: 'flaky-effect', event_id: cmd.eventId })).toHaveLength(1);
    expect(stack.messages((m) => m.key === cmd.orderId)).toHaveLength(0);
  });

  it('when a handler fails permanently, then its changes roll back and the message is dead-lettered with the code', async () => {
    const cmd = aSubmitOrder({ channel: 'poison' });
    await stack.publish('io.oms.commands.SubmitOrder', cmd);
    const [d] = await eventually('DLQ', async () => stack.messages((m) => m.key === cmd.orderId));
    expect(d!.headers[DLQ_HEADERS.reason]).toBe('invalid_payload');
    expect(await stack.db('inbox').where({ event_id: cmd.eventId })).toHaveLength(0);
  });
});
