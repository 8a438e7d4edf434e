import { Admin, Partitioners } from 'kafkajs';
import type { Platform } from '../shared/bootstrap';
import { createTopicsWithLeaders } from '../shared/kafka/create-topics';
import { fetchSettings } from '../shared/runner/consumer-runner';

/** What the fleet did in a bench run, for the limit to do again the bare way. */
export interface LimitWork {
  runId: string;
  partitions: number;
  /** Each topic of the run and how many messages it holds. */
  messagesByTopic: Record<string, number>;
  /** Each consumer group of the run (a service, the bench's warehouse) and the topics it read. */
  topicsByReader: Record<string, string[]>;
  transactions: number;
  statements: number;
  rowWrites: number;
}

/**
 * The ceiling of this machine for the bench's workload, measured right after it: the same Kafka
 * messages produced, each read by as many bare kafkajs consumer groups as read it in the run
 * (no saga, no decoding), while a bare knex loop with the same pool runs the same number of
 * transactions, statements and row writes (each statement an insert of its share of the rows,
 * as the saga's batched writes are). Both halves run at once, in one process, as the fleet's
 * consumers and transactions do; the limit's time is the wall time until both are done.
 */
export async function runLimit(p: Platform, admin: Admin, w: LimitWork) {
  const copies = new Map(Object.keys(w.messagesByTopic).filter((t) => w.messagesByTopic[t]! > 0).map((t) => [t, `${t}.limit`]));
  await createTopicsWithLeaders(admin, [...copies.values()].map((topic) => ({ topic, numPartitions: w.partitions })));
  const table = await createLimitTable(p);
  const readers = await joinReaders(p, w, copies);

  const started = Date.now();
  const since = () => (Date.now() - started) / 1000;
  const kafkaPart = Promise.all([produce(p, w, copies), ...readers.map((r) => r.done)]).then(since);
  const sqlPart = replayStatements(p, table, w).then(since);
  const [kafkaSeconds, dbSeconds] = await Promise.all([kafkaPart, sqlPart]);
  const seconds = since();

  await Promise.all(readers.map((r) => r.consumer.disconnect()));
  await p.db.schema.dropTableIfExists(table);
  const messages = [...copies.keys()].reduce((n, t) => n + w.messagesByTopic[t]!, 0);
  const deliveries = readers.reduce((n, r) => n + r.expected, 0);
  return {
    seconds, kafkaSeconds, dbSeconds, messages, deliveries,
    kafkaMessagesPerSecond: Math.round(messages / kafkaSeconds),
    dbTransactionsPerSecond: Math.round(w.transactions / dbSeconds),
    ...statementShape(w),
  };
}

/** One bare consumer per reader of the run, on the copies of the topics it read, joined before the clock starts. */
async function joinReaders(p: Platform, w: LimitWork, copies: Map<string, string>) {
  const { config } = p;
  return Promise.all(Object.entries(w.topicsByReader).map(async ([reader, topics]) => {
    const mine = topics.filter((t) => copies.has(t));
    const expected = mine.reduce((n, t) => n + w.messagesByTopic[t]!, 0);
    // the runner's fetch settings, so the bare loop fetches as the fleet does
    const consumer = p.kafka.consumer({ groupId: `${w.runId}-limit-${reader}`, ...fetchSettings(config) });
    await consumer.connect();
    let seen = 0;
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    if (expected === 0) finish();
    else {
      await consumer.subscribe({ topics: mine.map((t) => copies.get(t)!), fromBeginning: true });
      await consumer.run({
        partitionsConsumedConcurrently: config.RUNNER_PARTITIONS_CONCURRENCY,
        autoCommitInterval: config.RUNNER_COMMIT_INTERVAL_MS,
        eachBatch: async ({ batch }) => {
          seen += batch.messages.length;
          if (seen >= expected) finish();
        },
      });
    }
    return { consumer, expected, done };
  }));
}

/** Every topic's messages, in sends of 500 messages (the runner's chunk until c8cb0ce; kept so limits stay comparable across sessions). */
async function produce(p: Platform, w: LimitWork, copies: Map<string, string>) {
  const value = Buffer.alloc(400, 7); // about the size of an encoded saga event
  const producer = p.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  for (const [topic, copy] of copies) {
    const count = w.messagesByTopic[topic]!;
    for (let i = 0; i < count; i += 500) {
      const n = Math.min(500, count - i);
      await producer.send({ topic: copy, messages: Array.from({ length: n }, (_, j) => ({ key: String(i + j), value })) });
    }
  }
  await producer.disconnect();
}

async function createLimitTable(p: Platform) {
  const table = 'bench_limit';
  await p.db.schema.dropTableIfExists(table);
  await p.db.schema.createTable(table, (t) => {
    t.bigIncrements('id');
    t.uuid('ref').notNullable();
    t.text('payload').notNullable();
  });
  return table;
}

function statementShape(w: LimitWork) {
  return {
    statementsPerTransaction: Math.max(1, Math.round(w.statements / Math.max(1, w.transactions))),
    rowsPerStatement: Math.max(1, Math.round(w.rowWrites / Math.max(1, w.statements))),
  };
}

/** The run's transactions, statements and row writes, on as many connections as the fleet's pool holds. */
async function replayStatements(p: Platform, table: string, w: LimitWork) {
  const { statementsPerTransaction, rowsPerStatement } = statementShape(w);
  const rows = Array.from({ length: rowsPerStatement }, () => ({ ref: '00000000-0000-4000-8000-000000000000', payload: 'x'.repeat(200) }));
  let next = 0;
  await Promise.all(Array.from({ length: Math.max(1, p.config.DATABASE_POOL_MAX) }, async () => {
    while (next < w.transactions) {
      next++;
      await p.db.transaction(async (trx) => {
        for (let i = 0; i < statementsPerTransaction; i++) await trx(table).insert(rows);
      });
    }
  }));
}
