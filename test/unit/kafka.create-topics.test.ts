import type { Admin } from 'kafkajs';
import { createTopicsWithLeaders } from '../../shared/kafka/create-topics';

type Answer = 'unknown' | 'leaderless' | 'led' | 'other-error';
type OffsetsAnswer = 'not-leader' | 'no-partitions-yet' | 'answered';

/** An admin whose metadata and offsets answers are scripted, one per call, the last repeated. */
function scriptedAdmin(answers: Answer[], offsetsAnswers: OffsetsAnswer[] = ['answered']) {
  const calls = { createTopics: [] as unknown[], fetchTopicMetadata: 0, fetchTopicOffsets: 0 };
  const protocolError = (type: string) => Object.assign(new Error(type), { type });
  const admin = {
    createTopics: async (opts: unknown) => { calls.createTopics.push(opts); return true; },
    fetchTopicMetadata: async ({ topics }: { topics: string[] }) => {
      const answer = answers[Math.min(calls.fetchTopicMetadata++, answers.length - 1)];
      // kafkajs wraps the broker's answer, so the type is found on what the error wraps
      if (answer === 'unknown') throw Object.assign(new Error('retries exhausted'), { originalError: protocolError('UNKNOWN_TOPIC_OR_PARTITION') });
      if (answer === 'other-error') throw protocolError('TOPIC_AUTHORIZATION_FAILED');
      const leader = answer === 'led' ? 1 : -1;
      return { topics: topics.map((name) => ({ name, partitions: [{ partitionId: 0, leader }] })) };
    },
    fetchTopicOffsets: async () => {
      const answer = offsetsAnswers[Math.min(calls.fetchTopicOffsets++, offsetsAnswers.length - 1)];
      if (answer === 'not-leader') throw protocolError('NOT_LEADER_FOR_PARTITION');
      // kafkajs 2.2.4 when the broker it asks knows no partitions of the topic yet
      if (answer === 'no-partitions-yet') throw new TypeError("Cannot destructure property 'partitions' of 'high.pop(...)' as it is undefined.");
      return [{ partition: 0, offset: '0', high: '0', low: '0' }];
    },
  };
  return { admin: admin as unknown as Admin, calls };
}

describe('createTopicsWithLeaders', () => {
  it('when the broker does not know the new topic at first, then it waits until every partition has a leader', async () => {
    const { admin, calls } = scriptedAdmin(['unknown', 'leaderless', 'unknown', 'led']);
    await createTopicsWithLeaders(admin, [{ topic: 'a', numPartitions: 1 }], { pollMs: 1 });
    expect(calls.fetchTopicMetadata).toBe(4);
    expect(calls.fetchTopicOffsets).toBe(1);
    expect(calls.createTopics).toEqual([expect.objectContaining({ waitForLeaders: false, topics: [{ topic: 'a', numPartitions: 1 }] })]);
  });

  it('when a partition\'s named leader does not answer for it yet, then it asks again until it does', async () => {
    const { admin, calls } = scriptedAdmin(['led'], ['not-leader', 'not-leader', 'answered']);
    await createTopicsWithLeaders(admin, [{ topic: 'a' }], { pollMs: 1 });
    expect(calls.fetchTopicOffsets).toBe(3);
    expect(calls.fetchTopicMetadata).toBe(3);
  });

  it('when kafkajs fails inside on a broker that does not know the partitions yet (several brokers), then it asks again until the offsets are served', async () => {
    const { admin, calls } = scriptedAdmin(['led'], ['no-partitions-yet', 'answered']);
    await createTopicsWithLeaders(admin, [{ topic: 'a' }], { pollMs: 1 });
    expect(calls.fetchTopicOffsets).toBe(2);
  });

  it('when the offsets are never served within the timeout, then it fails saying why', async () => {
    const { admin } = scriptedAdmin(['led'], ['no-partitions-yet']);
    await expect(createTopicsWithLeaders(admin, [{ topic: 'a' }], { timeoutMs: 30, pollMs: 5 }))
      .rejects.toThrow(/had no leader within 30 ms \(last answer: offsets not yet served: Cannot destructure/);
  });

  it('when no leader comes within the timeout, then it fails saying so', async () => {
    const { admin } = scriptedAdmin(['unknown']);
    await expect(createTopicsWithLeaders(admin, [{ topic: 'a' }], { timeoutMs: 30, pollMs: 5 }))
      .rejects.toThrow(/had no leader within 30 ms \(last answer: UNKNOWN_TOPIC_OR_PARTITION\)/);
  });

  it('when the broker answers another error, then it fails at once with that error', async () => {
    const { admin, calls } = scriptedAdmin(['other-error']);
    await expect(createTopicsWithLeaders(admin, [{ topic: 'a' }], { pollMs: 1 })).rejects.toThrow('TOPIC_AUTHORIZATION_FAILED');
    expect(calls.fetchTopicMetadata).toBe(1);
  });

  it('when there is nothing to create, then the broker is not asked', async () => {
    const { admin, calls } = scriptedAdmin(['led']);
    await createTopicsWithLeaders(admin, []);
    expect(calls).toEqual({ createTopics: [], fetchTopicMetadata: 0, fetchTopicOffsets: 0 });
  });
});
