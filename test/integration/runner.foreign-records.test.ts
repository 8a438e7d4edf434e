import { randomUUID } from 'crypto';
import { newEnvelope } from '../../shared/contracts/envelope';
import { DLQ_HEADERS } from '../../shared/runner/dlq';
import { dlqName } from '../../shared/topics';
import { aSubmitOrder } from '../support/orders';
import { eventually, TestStack } from '../support/stack';

/** The record's 5-byte wire header with a body that is not Avro of its schema. */
const withBrokenBody = (bytes: Buffer) => Buffer.concat([bytes.subarray(0, 5), Buffer.from([0xff, 0xff, 0xff])]);

describe('shared runner: records of a shared topic that the service does not handle', () => {
  const stack = new TestStack();
  afterAll(() => stack.close());

  it('when fraud reads a SubmitOrder (intake\'s) with a broken body, then it drops it unparsed, not dead-lettered; a ReleaseOrderHold (its own) with a broken body behind it is dead-lettered', async () => {
    await stack.provision();
    const dlq = dlqName(stack.topic('orderCommands'));
    await stack.watch([dlq]);
    const topic = stack.topic('orderCommands');
    const submit = aSubmitOrder();
    const orderId = randomUUID();
    const release = { ...newEnvelope('test', orderId), orderId, operator: 'op-ann', note: 'verified' };
    const foreign = withBrokenBody(await stack.platform.codec.encode(topic, 'io.oms.commands.SubmitOrder', submit));
    const own = withBrokenBody(await stack.platform.codec.encode(topic, 'io.oms.commands.ReleaseOrderHold', release as never));
    await stack.sendRaw('orderCommands', [
      { key: 'foreign', partition: 0, value: foreign },
      { key: 'own', partition: 0, value: own },
    ]);
    await stack.startService(stack.service('fraud'));

    const [dead] = await eventually('own record dead-lettered', async () => {
      const found = stack.messages((m) => m.topic === dlq && m.key === 'own');
      return found.length > 0 ? found : undefined;
    });
    expect(dead!.headers[DLQ_HEADERS.reason]).toBe('undecodable');
    expect(dead!.headers[DLQ_HEADERS.consumer]).toBe('fraud');
    // the foreign record came first on the same partition: had fraud parsed it, its dead letter would be there by now
    expect(stack.messages((m) => m.topic === dlq && m.key === 'foreign')).toHaveLength(0);
  });
});
