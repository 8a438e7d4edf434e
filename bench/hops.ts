import type { Admin, Kafka } from 'kafkajs';

/**
 * Where an order's latency goes, hop by hop: reads every message of the run's topics back and,
 * per record, takes the median of (its Kafka timestamp − its order's SubmitOrder timestamp). The
 * timestamps are the producers' create times, so each figure is "when that event was sent".
 * Records come from the outbox's `oms-record` header; messages without it (the bench's own
 * commands and warehouse events) are named by their topic. Only the orders in `orderIds` count.
 */
export async function medianMsByRecord(kafka: Kafka, admin: Admin, topics: string[], commandTopic: string, groupId: string, orderIds: ReadonlySet<string>): Promise<Record<string, number>> {
  const high = new Map<string, number>();
  for (const topic of topics) for (const e of await admin.fetchTopicOffsets(topic)) high.set(`${topic}:${e.partition}`, Number(e.high));
  let remaining = [...high.values()].reduce((a, b) => a + b, 0);
  const submitted = new Map<string, number>();
  const sent: { key: string; record: string; at: number }[] = [];
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await new Promise<void>((resolve) => {
    if (remaining === 0) return resolve();
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const key = m.key?.toString() ?? '';
          const at = Number(m.timestamp);
          const record = m.headers?.['oms-record']?.toString().split('.').pop() ?? batch.topic.split('.').pop()!;
          if (batch.topic === commandTopic && !submitted.has(key)) submitted.set(key, at);
          else sent.push({ key, record, at });
        }
        remaining -= batch.messages.length;
        if (remaining <= 0) resolve();
      },
    });
  });
  await consumer.disconnect();
  const byRecord = new Map<string, number[]>();
  for (const s of sent) {
    const t0 = submitted.get(s.key);
    if (t0 === undefined || !orderIds.has(s.key)) continue; // keyed by SKU, or not an order measured (a warm-up order)
    const list = byRecord.get(s.record) ?? [];
    list.push(s.at - t0);
    byRecord.set(s.record, list);
  }
  const medians = [...byRecord].map(([record, ms]) => [record, ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)]!] as const);
  return Object.fromEntries(medians.sort((a, b) => a[1] - b[1]));
}
