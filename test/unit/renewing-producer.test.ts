import type { Producer } from 'kafkajs';
import { isProducerStateError, RenewingProducer } from '../../shared/kafka/renewing-producer';

/** A kafkajs producer double: records its calls; `failWith` makes its sends fail. */
function fakeProducer(name: string, log: string[], failWith?: () => Error): Producer {
  return {
    connect: async () => void log.push(`${name}.connect`),
    disconnect: async () => void log.push(`${name}.disconnect`),
    send: async () => {
      log.push(`${name}.send`);
      if (failWith) throw failWith();
      return [];
    },
    sendBatch: async () => {
      log.push(`${name}.sendBatch`);
      if (failWith) throw failWith();
      return [];
    },
  } as unknown as Producer;
}

const outOfOrder = () => Object.assign(new Error('The broker received an out of order sequence number'), { type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });

describe('RenewingProducer', () => {
  it('when a send fails with a producer-state error, then that send fails, a new producer is connected and the old one closed, and the next sends go through the new one', async () => {
    const log: string[] = [];
    const made: string[] = [];
    const renewed: unknown[] = [];
    const producer = new RenewingProducer(() => {
      made.push(`p${made.length}`);
      return made.length === 1 ? fakeProducer('p0', log, outOfOrder) : fakeProducer(`p${made.length - 1}`, log);
    }, (err) => renewed.push(err));
    await producer.connect();

    await expect(producer.sendBatch({ topicMessages: [] })).rejects.toThrow(/out of order/);
    await producer.send({ topic: 't', messages: [] });
    expect(log).toEqual(['p0.connect', 'p0.sendBatch', 'p1.connect', 'p0.disconnect', 'p1.send']);
    expect(producer.renewals).toBe(1);
    expect(renewed).toHaveLength(1);
  });

  it('when a send fails for another reason, then the producer is kept', async () => {
    const log: string[] = [];
    const producer = new RenewingProducer(() => fakeProducer('p0', log, () => Object.assign(new Error('Connection error'), { type: 'UNKNOWN' })));
    await producer.connect();
    await expect(producer.send({ topic: 't', messages: [] })).rejects.toThrow(/Connection error/);
    expect(log).toEqual(['p0.connect', 'p0.send']);
    expect(producer.renewals).toBe(0);
  });

  it('recognises the error inside kafkajs wrappers (originalError, cause)', () => {
    expect(isProducerStateError({ name: 'KafkaJSNumberOfRetriesExceeded', originalError: outOfOrder() })).toBe(true);
    expect(isProducerStateError(new Error('wrapped', { cause: Object.assign(new Error('x'), { type: 'UNKNOWN_PRODUCER_ID' }) }))).toBe(true);
    expect(isProducerStateError(Object.assign(new Error('x'), { type: 'NOT_LEADER_FOR_PARTITION' }))).toBe(false);
    expect(isProducerStateError(undefined)).toBe(false);
  });
});
