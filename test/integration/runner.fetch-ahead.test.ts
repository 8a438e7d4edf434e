import type { Kafka } from 'kafkajs';
import { ConsumerRunner } from '../../shared/runner/consumer-runner';
import type { ServiceDefinition } from '../../shared/runner/handler';
import type { SubmitOrder } from '../../shared/contracts/types.generated';
import { aSubmitOrder } from '../support/orders';
import { eventually, TestStack } from '../support/stack';

/**
 * A test service whose handler waits, inside its transaction, for its order's gate, and notes
 * whether the order handled before it had committed by then (its inbox row visible).
 */
function gatedService(name: string, gates: Map<string, Promise<void>>, notes: string[], before: Map<string, string>): ServiceDefinition {
  return {
    name,
    consumes: ['orderCommands'],
    handlers: {
      'io.oms.commands.SubmitOrder': async (ctx, cmd) => {
        const previous = before.get(cmd.orderId);
        const committed = previous ? (await ctx.trx('inbox').where({ consumer: name, event_id: previous })).length : 0;
        notes.push(`start ${cmd.orderId} (previous committed: ${committed})`);
        await gates.get(cmd.orderId);
      },
    },
  };
}

/** The Kafka client, but every consumer made through it notes each batch kafkajs hands to the runner (partition:first offset). */
function notingBatches(kafka: Kafka): { kafka: Kafka; batches: string[] } {
  const batches: string[] = [];
  const noting = Object.create(kafka) as Kafka;
  noting.consumer = (config) => {
    const consumer = kafka.consumer(config);
    consumer.on(consumer.events.START_BATCH_PROCESS, ({ payload }) => void batches.push(`${payload.partition}:${payload.firstOffset}`));
    return consumer;
  };
  return { kafka: noting, batches };
}

const CASES = [
  { fetchAhead: true, maxBatch: 1, ahead: true, when: 'a full chunk\'s transaction is slow' },
  { fetchAhead: true, maxBatch: 1000, ahead: false, when: 'a partial chunk\'s transaction is slow' },
  { fetchAhead: false, maxBatch: 1, ahead: false, when: 'fetching ahead is off and a full chunk\'s transaction is slow' },
];

for (const { fetchAhead, maxBatch, ahead, when } of CASES) {
  describe(`shared runner: RUNNER_FETCH_AHEAD=${fetchAhead}, RUNNER_MAX_BATCH=${maxBatch}`, () => {
    // a test-only service: no Postgres role for it
    const stack = new TestStack({ DATABASE_SERVICE_ROLES: 'false', RUNNER_FETCH_AHEAD: String(fetchAhead), RUNNER_MAX_BATCH: String(maxBatch), RUNNER_FETCH_MAX_WAIT_MS: '100' });
    afterAll(() => stack.close());

    const outcome = ahead
      ? 'the next message of its partition is fetched and handed in while the transaction runs, and handled only after it commits'
      : 'the next message is not fetched until the chunk has committed';
    it(`when ${when}, then ${outcome}`, async () => {
      await stack.provision();
      const name = `gated_${fetchAhead}_${maxBatch}_${Date.now()}`;
      const first = aSubmitOrder();
      const second = aSubmitOrder();
      let openFirst: () => void = () => undefined;
      const gates = new Map([[first.orderId, new Promise<void>((r) => (openFirst = r))]]);
      const notes: string[] = [];
      const { kafka, batches } = notingBatches(stack.platform.kafka);
      const runner = new ConsumerRunner(gatedService(name, gates, notes, new Map([[second.orderId, first.eventId]])), { ...stack.platform, kafka });
      await runner.start();
      try {
        const topic = stack.topic('orderCommands');
        const onPartition0 = async (c: SubmitOrder) => ({ key: c.orderId, partition: 0, value: await stack.platform.codec.encode(topic, 'io.oms.commands.SubmitOrder', c) });
        await stack.sendRaw('orderCommands', [await onPartition0(first)]);
        await eventually('first handler started', async () => notes.length === 1);
        await stack.sendRaw('orderCommands', [await onPartition0(second)]);

        if (ahead) {
          await eventually('the second message handed in', async () => batches.includes('0:1'), 5000);
        } else {
          await new Promise((r) => setTimeout(r, 1000)); // ten fetch waits
          expect(batches).toEqual(['0:0']);
        }
        expect(notes).toEqual([`start ${first.orderId} (previous committed: 0)`]);

        openFirst();
        await eventually('second handler started', async () => notes.length === 2);
        expect(notes[1]).toBe(`start ${second.orderId} (previous committed: 1)`);
      } finally {
        openFirst();
        await runner.stop();
      }
    });
  });
}
