import type { Admin } from 'kafkajs';

export interface TopicLag {
  topic: string;
  lag: number;
}

/**
 * Messages of `topics` that `groupId` has not committed yet. A partition the group has never
 * committed counts from its first retained offset (the runner consumes from the beginning): a
 * group that never got going shows its whole backlog, not the 0 that listing only its committed
 * topics would give.
 */
export async function lagOfGroup(admin: Admin, groupId: string, topics: readonly string[]): Promise<TopicLag[]> {
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  return Promise.all(
    committed.map(async ({ topic, partitions }) => {
      const ends = await admin.fetchTopicOffsets(topic);
      const lag = ends.reduce((n, end) => {
        const offset = Number(partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
        return n + Math.max(0, Number(end.high) - (offset >= 0 ? offset : Number(end.low)));
      }, 0);
      return { topic, lag };
    }),
  );
}
