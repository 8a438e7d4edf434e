import type { Kafka } from 'kafkajs';
import { ClusterTopics } from '../../shared/kafka/cluster-topics';

/** A kafkajs client double: counts the admins made, connected and disconnected. */
function fakeKafka(options: { failFirstConnect?: boolean } = {}) {
  const made = { admins: 0, connects: 0, disconnects: 0 };
  let failNext = options.failFirstConnect ?? false;
  const kafka = {
    admin: () => {
      made.admins++;
      return {
        connect: async () => {
          await new Promise((r) => setTimeout(r, 10));
          made.connects++;
          if (failNext) {
            failNext = false;
            throw new Error('broker down');
          }
        },
        listTopics: async () => ['oms.orders', 'oms.fraud'],
        disconnect: async () => void made.disconnects++,
      };
    },
  } as unknown as Kafka;
  return { kafka, made };
}

describe('ClusterTopics', () => {
  it('when two sweeps ask at once, then they share one admin connection, and close disconnects it', async () => {
    const { kafka, made } = fakeKafka();
    const topics = new ClusterTopics(kafka);
    const [a, b] = await Promise.all([topics.list(), topics.list()]);
    expect([...a]).toEqual(['oms.orders', 'oms.fraud']);
    expect([...b]).toEqual(['oms.orders', 'oms.fraud']);
    expect(made.admins).toBe(1);
    await topics.close();
    expect(made.disconnects).toBe(1);
  });

  it('when the first connection fails, then that ask fails and the next one connects anew', async () => {
    const { kafka, made } = fakeKafka({ failFirstConnect: true });
    const topics = new ClusterTopics(kafka);
    await expect(topics.list()).rejects.toThrow('broker down');
    expect([...(await topics.list())]).toContain('oms.orders');
    expect(made.admins).toBe(2);
    await topics.close();
    expect(made.disconnects).toBe(1);
  });

  it('when it was never asked, then close does nothing', async () => {
    const { kafka, made } = fakeKafka();
    await new ClusterTopics(kafka).close();
    expect(made).toEqual({ admins: 0, connects: 0, disconnects: 0 });
  });
});
