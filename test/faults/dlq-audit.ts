import { DLQ_HEADERS } from '../../shared/runner/dlq';
import type { FaultHarness } from './harness';
import { retrying } from '../../bench/traffic';
import { sleep } from './harness';

export interface DlqAudit {
  /** Messages in the run's dead-letter topics. */
  messages: number;
  /** Of those, how many carry no reason header. */
  withoutReason: number;
  byReason: Record<string, number>;
  /** Distinct original keys found (the poison scenario keys each poison message uniquely). */
  keys: Set<string>;
}

/** Reads every dead-letter topic of the run from the start to its end offsets. */
export async function auditDlq(h: FaultHarness): Promise<DlqAudit> {
  const audit: DlqAudit = { messages: 0, withoutReason: 0, byReason: {}, keys: new Set() };
  const topics = (await h.topics()).filter((t) => t.endsWith('.dlq'));
  const ends = new Map<string, number>();
  for (const t of topics) {
    const total = (await retrying(() => h.kafkaAdmin.fetchTopicOffsets(t))).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    if (total > 0) ends.set(t, total);
  }
  const expected = [...ends.values()].reduce((a, b) => a + b, 0);
  if (expected === 0) return audit;
  const consumer = h.platform.kafka.consumer({ groupId: `${h.runId}-dlq-audit`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topics: [...ends.keys()], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      audit.messages++;
      const reason = message.headers?.[DLQ_HEADERS.reason]?.toString();
      if (!reason) audit.withoutReason++;
      else audit.byReason[reason] = (audit.byReason[reason] ?? 0) + 1;
      if (message.key) audit.keys.add(message.key.toString());
    },
  });
  const deadline = Date.now() + 120_000;
  while (audit.messages < expected && Date.now() < deadline) await sleep(250);
  await consumer.disconnect();
  return audit;
}
