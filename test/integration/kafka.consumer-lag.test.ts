import { randomUUID } from 'crypto';
import type { Admin } from 'kafkajs';
import { lagOfGroup } from '../../shared/kafka/consumer-lag';
import { TestStack } from '../support/stack';

describe('consumer lag of a group', () => {
  const stack = new TestStack();
  let admin: Admin;

  beforeAll(async () => {
    await stack.provision();
    admin = stack.platform.kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin.disconnect();
    await stack.close();
  });

  it('when a group has never committed, then its lag is every message of its topics; after a commit, what is past it', async () => {
    const topic = stack.topic('orderCommands');
    const other = stack.topic('stockLevels');
    // one key: every message on one partition, so the commit below covers them
    await stack.sendRaw('orderCommands', Array.from({ length: 5 }, (_, i) => ({ key: 'one-key', value: Buffer.from(`m${i}`) })));
    const groupId = `lag-${randomUUID()}`;
    expect(await lagOfGroup(admin, groupId, [topic, other])).toEqual([
      { topic, lag: 5 },
      { topic: other, lag: 0 },
    ]);

    const partition = (await admin.fetchTopicOffsets(topic)).find((p) => Number(p.high) === 5)!.partition;
    await admin.setOffsets({ groupId, topic, partitions: [{ partition, offset: '3' }] });
    expect(await lagOfGroup(admin, groupId, [topic])).toEqual([{ topic, lag: 2 }]);
  });
});
