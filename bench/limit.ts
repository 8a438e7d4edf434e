import { Admin, Partitioners } from 'kafkajs';
import type { Platform } from '../shared/bootstrap';

/**
 * The ceiling of this machine for the bench's workload, measured right after it: the same number
 * of Kafka messages produced and consumed by a bare kafkajs loop (no saga, no decoding), and the
 * same number of transactions, statements and row writes by a bare knex loop with the same pool
 * (each statement an insert of its share of the rows, as the saga's batched writes are).
 */
export async function runLimit(p: Platform, admin: Admin, w: { runId: string; messages: number; partitions: number; transactions: number; statements: number; rowWrites: number }) {
  const topic = `${w.runId}.limit`;
  await admin.createTopics({ topics: [{ topic, numPartitions: w.partitions }], waitForLeaders: true });
  const value = Buffer.alloc(400, 7); // about the size of an encoded saga event
  const producer = p.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const k0 = Date.now();
  for (let i = 0; i < w.messages; i += 500) {
    const n = Math.min(500, w.messages - i);
    await producer.send({ topic, messages: Array.from({ length: n }, (_, j) => ({ key: String(i + j), value })) });
  }
  await producer.disconnect();
  const consumer = p.kafka.consumer({ groupId: `${w.runId}-limit`, maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({ eachBatch: async ({ batch }) => {
      seen += batch.messages.length;
      if (seen >= w.messages) resolve();
    } });
  });
  const kafkaSeconds = (Date.now() - k0) / 1000;
  await consumer.disconnect();

  await p.db.schema.dropTableIfExists('bench_limit');
  await p.db.schema.createTable('bench_limit', (t) => {
    t.bigIncrements('id');
    t.uuid('ref').notNullable();
    t.text('payload').notNullable();
  });
  const perTx = Math.max(1, Math.round(w.statements / Math.max(1, w.transactions)));
  const rowsPerStatement = Math.max(1, Math.round(w.rowWrites / Math.max(1, w.statements)));
  const rows = Array.from({ length: rowsPerStatement }, () => ({ ref: '00000000-0000-4000-8000-000000000000', payload: 'x'.repeat(200) }));
  const workers = Math.max(1, p.config.DATABASE_POOL_MAX);
  const d0 = Date.now();
  let next = 0;
  await Promise.all(Array.from({ length: workers }, async () => {
    while (next < w.transactions) {
      next++;
      await p.db.transaction(async (trx) => {
        for (let i = 0; i < perTx; i++) await trx('bench_limit').insert(rows);
      });
    }
  }));
  const dbSeconds = (Date.now() - d0) / 1000;
  await p.db.schema.dropTableIfExists('bench_limit');
  return { kafkaSeconds, dbSeconds, kafkaMessagesPerSecond: Math.round(w.messages / kafkaSeconds), dbTransactionsPerSecond: Math.round(w.transactions / dbSeconds), statementsPerTransaction: perTx, rowsPerStatement };
}
