import type { TopicPartitionOffsetAndMetadata } from 'kafkajs';
import { createLogger } from '../../shared/logger';
import { OffsetCommitter } from '../../shared/runner/offset-committer';

const log = createLogger('test', 'silent');

/** A consumer port that records each commit request, failing the ones asked to. */
function fakeConsumer() {
  const requests: TopicPartitionOffsetAndMetadata[][] = [];
  let failNext = 0;
  return {
    requests,
    failNextCommits: (n: number) => void (failNext = n),
    commitOffsets: async (offsets: TopicPartitionOffsetAndMetadata[]) => {
      if (failNext > 0) {
        failNext--;
        throw new Error('REBALANCE_IN_PROGRESS');
      }
      requests.push(offsets);
    },
  };
}

describe('OffsetCommitter', () => {
  it('when chunks of several partitions are done, then one request commits each partition at its last done offset + 1', async () => {
    const consumer = fakeConsumer();
    const committer = new OffsetCommitter(consumer, 60_000, log);
    committer.done('t', 0, '4');
    committer.done('t', 1, '9');
    committer.done('t', 0, '7');
    await committer.flush();
    expect(consumer.requests).toEqual([[{ topic: 't', partition: 0, offset: '8' }, { topic: 't', partition: 1, offset: '10' }]]);
    await committer.flush();
    expect(consumer.requests).toHaveLength(1); // nothing new: no request
  });

  it('when a commit fails, then its offsets are committed next time unless a newer one of that partition is done meanwhile', async () => {
    const consumer = fakeConsumer();
    const committer = new OffsetCommitter(consumer, 60_000, log);
    committer.done('t', 0, '4');
    committer.done('t', 1, '2');
    consumer.failNextCommits(1);
    await committer.flush();
    expect(consumer.requests).toHaveLength(0);
    committer.done('t', 1, '5');
    await committer.flush();
    expect(consumer.requests).toEqual([[{ topic: 't', partition: 0, offset: '5' }, { topic: 't', partition: 1, offset: '6' }]]);
  });

  it('when a rebalance takes a partition away, then its pending offset is not committed', async () => {
    const consumer = fakeConsumer();
    const committer = new OffsetCommitter(consumer, 60_000, log);
    committer.done('t', 0, '4');
    committer.done('t', 1, '2');
    committer.keepOnly({ t: [1] });
    await committer.stop();
    expect(consumer.requests).toEqual([[{ topic: 't', partition: 1, offset: '3' }]]);
  });

  it('when a chunk finishes after a rebalance took its partition, then its offset is not committed', async () => {
    const consumer = fakeConsumer();
    const committer = new OffsetCommitter(consumer, 60_000, log);
    committer.keepOnly({ t: [1] });
    committer.done('t', 0, '4');
    committer.done('t', 1, '2');
    await committer.stop();
    expect(consumer.requests).toEqual([[{ topic: 't', partition: 1, offset: '3' }]]);
  });

  it('when a rebalance takes a partition away while its commit is failing, then that offset is not kept for later', async () => {
    const requests: TopicPartitionOffsetAndMetadata[][] = [];
    let rebalanceDuringCommit = true;
    const committer: OffsetCommitter = new OffsetCommitter(
      {
        commitOffsets: async (offsets: TopicPartitionOffsetAndMetadata[]) => {
          if (rebalanceDuringCommit) {
            rebalanceDuringCommit = false;
            committer.keepOnly({ t: [1] });
            throw new Error('REBALANCE_IN_PROGRESS');
          }
          requests.push(offsets);
        },
      },
      60_000,
      log,
    );
    committer.done('t', 0, '4');
    committer.done('t', 1, '2');
    await committer.flush();
    await committer.flush();
    expect(requests).toEqual([[{ topic: 't', partition: 1, offset: '3' }]]);
  });

  it('when started, then it commits on its interval without being asked', async () => {
    const consumer = fakeConsumer();
    const committer = new OffsetCommitter(consumer, 20, log);
    committer.start();
    committer.done('t', 3, '41');
    await new Promise((r) => setTimeout(r, 80));
    await committer.stop();
    expect(consumer.requests).toEqual([[{ topic: 't', partition: 3, offset: '42' }]]);
  });
});
