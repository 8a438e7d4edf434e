/**
 * `npm run oms -- <command>`: the support CLI. Orders (get, track, list, submit, cancel,
 * release-hold), dead letters (list, replay), stock (reconcile), topics, schemas and consumer lag. Tables by default,
 * --json for scripts.
 */
import { Command } from 'commander';
import { readFileSync } from 'fs';
import { createPlatform, Platform } from '../../shared/bootstrap';
import { CommandPublisher, submissionIds } from '../../shared/command-publisher';
import { RegistryAdmin } from '../../shared/contracts/registry-admin';
import { loadSchemaFiles } from '../../shared/contracts/schemas';
import type { SubmitOrder } from '../../shared/contracts/types.generated';
import { createIdempotentProducer } from '../../shared/kafka/client';
import { lagOfGroup } from '../../shared/kafka/consumer-lag';
import { ORDER_STATES, OrderState } from '../../shared/order-state';
import { ensureTopics, registerSchemas } from '../../shared/provisioning';
import { searchOrders, trackOrder } from '../../shared/read/order-queries';
import { getOrder } from '../../shared/read/order-view';
import { ENVELOPE_FIELDS } from '../../shared/runner/handler';
import { DLQ_SUFFIX, subjectFor, TOPICS, TopicKey, topicName, topicOfRecord, RecordName } from '../../shared/topics';
import { loadServiceDeps } from '../deps';
import { reconcileReserved } from '../inventory/reconcile-reserved';
import { consumedTopics } from '../registry';
import { readDeadLetters } from './dlq';
import { print } from './output';
import { UUID } from '../../shared/uuid';

const program = new Command('oms').description('Order Management Service support CLI').option('--json', 'print JSON instead of tables');
const json = () => Boolean(program.opts().json);

/** Runs one command with a platform, closing it after; errors print plainly and exit 1. */
function action<A extends unknown[]>(fn: (p: Platform, ...args: A) => Promise<void>) {
  return async (...args: A) => {
    const p = createPlatform('cli', { LOG_LEVEL: 'warn', ...process.env });
    try {
      await fn(p, ...args);
    } catch (err) {
      console.error(`error: ${(err as Error).message}`);
      process.exitCode = 1;
    } finally {
      await p.db.destroy();
    }
  };
}

async function withPublisher(p: Platform, fn: (c: CommandPublisher) => Promise<unknown>) {
  const producer = createIdempotentProducer(p.kafka);
  await producer.connect();
  try {
    return await fn(new CommandPublisher(producer, p.codec, p.config.KAFKA_TOPIC_PREFIX, 'cli'));
  } finally {
    await producer.disconnect();
  }
}

const order = program.command('order').description('read and change orders');
order.command('get <orderId>').description('an order with lines, prices, payments, shipments, history').action(action(async (p, orderId: string) => {
  const o = await getOrder(p.db, orderId);
  if (!o) throw new Error(`order ${orderId} not found`);
  print(json(), o, () => ({ head: ['from', 'to', 'cause', 'refused', 'reason', 'at'], rows: o.history.map((h: { from_state: string; to_state: string; cause_type: string; refused: boolean; reason: string | null; at: Date }) => [h.from_state, h.to_state, h.cause_type, h.refused ? 'yes' : '', h.reason, new Date(h.at).toISOString()]) }));
  if (!json()) console.log(`${o.order_id}  ${o.state}  total ${o.total_minor} ${o.currency}  ${o.channel}/${o.channel_order_ref}  compensation ${JSON.stringify(o.compensation)}`);
}));
order.command('track <token>').description('what the customer sees for a tracking token').action(action(async (p, token: string) => {
  const v = await trackOrder(p.db, token);
  if (!v) throw new Error('no order has this tracking code');
  print(json(), v, () => ({ head: ['state', 'at'], rows: v.timeline.map((t) => [t.state, new Date(t.at).toISOString()]) }));
}));
order.command('list').description('search orders, newest first')
  .option('--state <state>', `one of ${ORDER_STATES.join(', ')}`).option('--customer <id>').option('--channel <name>').option('--from <iso>').option('--to <iso>').option('--limit <n>', 'page size', '20').option('--cursor <c>')
  .action(action(async (p, o: Record<string, string>) => {
    if (o.state && !(ORDER_STATES as readonly string[]).includes(o.state)) throw new Error(`--state must be one of ${ORDER_STATES.join(', ')}`);
    const r = await searchOrders(p.db, { state: o.state as OrderState, customerId: o.customer, channel: o.channel, from: o.from, to: o.to, limit: Math.min(100, countOption('--limit', o.limit ?? '20')), cursor: o.cursor });
    print(json(), r, () => ({ head: ['order', 'channel ref', 'state', 'total', 'created'], rows: r.orders.map((x) => [x.order_id, x.channel_order_ref, x.state, `${x.total_minor} ${x.currency}`, new Date(x.created_at).toISOString()]) }));
    if (!json() && r.nextCursor) console.log(`next page: --cursor ${r.nextCursor}`);
  }));
order.command('submit').description('publish a SubmitOrder from a JSON file shaped like the Avro record').requiredOption('--file <path>')
  .action(action(async (p, o: { file: string }) => {
    const body = JSON.parse(readFileSync(o.file, 'utf8')) as SubmitOrder;
    for (const f of ENVELOPE_FIELDS) delete (body as Partial<SubmitOrder>)[f];
    const { orderId, commandId } = submissionIds(body.channel, body.channelOrderRef);
    await withPublisher(p, (c) => c.publish('io.oms.commands.SubmitOrder', { ...body, orderId }, commandId));
    print(true, { orderId, commandId });
  }));
order.command('cancel <orderId>').option('--reason <reason>', 'customer_request or operator', 'operator').option('--detail <text>')
  .action(action(async (p, orderId: string, o: { reason: 'customer_request' | 'operator'; detail?: string }) => {
    checkOrderId(orderId);
    if (!['customer_request', 'operator'].includes(o.reason)) throw new Error('--reason must be customer_request or operator');
    print(true, { orderId, commandId: await withPublisher(p, (c) => c.publish('io.oms.commands.CancelOrder', { orderId, reason: o.reason, requestedBy: 'cli', detail: o.detail ?? null })) });
  }));
order.command('release-hold <orderId>').option('--note <text>').option('--operator <name>', 'who releases', process.env.USER ?? 'cli')
  .action(action(async (p, orderId: string, o: { note?: string; operator: string }) => {
    checkOrderId(orderId);
    print(true, { orderId, commandId: await withPublisher(p, (c) => c.publish('io.oms.commands.ReleaseOrderHold', { orderId, operator: o.operator, note: o.note ?? null })) });
  }));

/**
 * A letter dead-lettered longer ago than INBOX_RETENTION_HOURS went, on the same message, to
 * services that handled it and have since forgotten so (their inbox rows are pruned): replayed to
 * its source topic, it would be handled by them again. Such a replay waits for --force.
 */
async function refuseForgottenLetters(p: Platform, topic: string, limit: number): Promise<void> {
  const hours = p.config.INBOX_RETENTION_HOURS;
  const pending = await readDeadLetters(p.kafka, topic, replayGroup(p), { commit: false, limit });
  const forgotten = pending.filter((d) => Date.now() - Date.parse(d.at) > hours * 3_600_000);
  if (forgotten.length === 0) return;
  throw new Error(`${forgotten.length} of the letters to replay (offsets ${forgotten.slice(0, 10).map((d) => d.offset).join(', ')}${forgotten.length > 10 ? ', …' : ''}) were dead-lettered more than INBOX_RETENTION_HOURS (${hours} h) ago: the other consumers of their topic no longer remember handling them and would do it again. Check their effects, then replay with --force. Nothing was sent.`);
}

/** A command's order id: a UUID, or the command is refused here rather than dead-lettered by intake. */
function checkOrderId(orderId: string): void {
  if (!UUID.test(orderId)) throw new Error(`orderId ${JSON.stringify(orderId)} is not a UUID`);
}

/** A count option: a whole number of at least 1 (0, a negative or a word would read nothing or everything). */
function countOption(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number of at least 1, not ${JSON.stringify(value)}`);
  return n;
}

const dlqTopicOf = (p: Platform, name: string) => {
  const key = (Object.keys(TOPICS) as TopicKey[]).find((k) => TOPICS[k].name === name.replace(/\.dlq$/, '') || k === name);
  if (!key) throw new Error(`unknown topic ${name}; one of ${Object.values(TOPICS).map((t) => t.name).join(', ')}`);
  return topicName(key, p.config.KAFKA_TOPIC_PREFIX) + DLQ_SUFFIX;
};
const replayGroup = (p: Platform) => `${p.config.KAFKA_GROUP_PREFIX}-dlq-replay`;

const dlq = program.command('dlq').description('dead-lettered messages');
dlq.command('list').description('messages in the DLQs (all topics, or one)').option('--topic <name>').option('--limit <n>', 'at most', '100').option('--all', 'include messages already replayed')
  .action(action(async (p, o: { topic?: string; limit: string; all?: boolean }) => {
    const topics = o.topic ? [dlqTopicOf(p, o.topic)] : (Object.keys(TOPICS) as TopicKey[]).map((k) => topicName(k, p.config.KAFKA_TOPIC_PREFIX) + DLQ_SUFFIX);
    const found: { dlq: string; offset: string; key: string | null; reason: string; error: string; sourceTopic: string; sourceOffset: string; at: string }[] = [];
    for (const t of topics) for (const d of await readDeadLetters(p.kafka, t, replayGroup(p), { commit: false, limit: countOption('--limit', o.limit), all: o.all })) found.push({ dlq: t, offset: d.offset, key: d.key, reason: d.reason, error: d.error, sourceTopic: d.sourceTopic, sourceOffset: d.sourceOffset, at: d.at });
    print(json(), found, () => ({ head: ['dlq', 'offset', 'reason', 'error', 'source', 'at'], rows: found.map((f) => [f.dlq, f.offset, f.reason, f.error.slice(0, 60), `${f.sourceTopic}@${f.sourceOffset}`, f.at]) }));
  }));
dlq.command('replay').description('send dead letters back to their source topic (after fixing the cause)').requiredOption('--topic <name>').option('--limit <n>', 'at most', '1000').option('--dry-run', 'show what would be replayed')
  .option('--force', 'replay letters older than INBOX_RETENTION_HOURS too, after checking their effects by hand')
  .action(action(async (p, o: { topic: string; limit: string; dryRun?: boolean; force?: boolean }) => {
    const topic = dlqTopicOf(p, o.topic);
    const limit = countOption('--limit', o.limit);
    if (!o.force) await refuseForgottenLetters(p, topic, limit);
    const producer = createIdempotentProducer(p.kafka);
    await producer.connect();
    try {
      const replayed = await readDeadLetters(p.kafka, topic, replayGroup(p), { commit: !o.dryRun, limit }, async (d) => {
        // a letter that went without its value (too large for the DLQ) has nothing to send: read it at its source offset
        if (o.dryRun || d.message.value === null) return;
        await producer.send({ topic: d.sourceTopic, acks: -1, messages: [{ key: d.message.key, value: d.message.value, headers: { 'dlq-replayed-from': `${topic}@${d.offset}` } }] });
      });
      print(true, { topic, dryRun: Boolean(o.dryRun), count: replayed.length, messages: replayed.map((d) => ({ offset: d.offset, reason: d.reason, to: d.sourceTopic, ...(d.message.value === null ? { notSent: `no value in the DLQ: the original is at ${d.sourceTopic} offset ${d.sourceOffset}` } : {}) })) });
    } finally {
      await producer.disconnect();
    }
  }));

program.command('topics').description('topics').command('create').description('create every topic and DLQ (idempotent)').action(action(async (p) => {
  const admin = p.kafka.admin();
  await admin.connect();
  print(true, { created: await ensureTopics(admin, p.config.KAFKA_TOPIC_PREFIX) });
  await admin.disconnect();
}));
const schemas = program.command('schemas').description('Avro schemas in the registry');
schemas.command('register').action(action(async (p) => print(true, { registered: await registerSchemas(p.codec, p.config.KAFKA_TOPIC_PREFIX) })));
schemas.command('check').description('is every schema file BACKWARD compatible with its registered version').action(action(async (p) => {
  const admin = new RegistryAdmin(p.config);
  const results: { subject: string; compatible: boolean; messages: string[] }[] = [];
  for (const f of loadSchemaFiles()) {
    const subject = subjectFor(topicName(topicOfRecord(f.fullName as RecordName), p.config.KAFKA_TOPIC_PREFIX), f.fullName);
    results.push({ subject, ...(await admin.isCompatible(subject, f.text)) });
  }
  print(json(), results, () => ({ head: ['subject', 'compatible', 'messages'], rows: results.map((r) => [r.subject, r.compatible ? 'yes' : 'NO', r.messages.join('; ').slice(0, 80)]) }));
  if (results.some((r) => !r.compatible)) process.exitCode = 1;
}));
const inventory = program.command('inventory').description('stock');
inventory.command('reconcile').description('rebuild reserved counts from the held reservations; prints the rows that differed')
  .option('--sku <sku...>', 'only these SKUs (default: every stock row, which holds reservations on all of them for the moment it takes)')
  .option('--dry-run', 'show the differences, change nothing')
  .action(action(async (p, o: { sku?: string[]; dryRun?: boolean }) => {
    const drift = await reconcileReserved(p.db, { skus: o.sku, dryRun: o.dryRun });
    const r = { corrected: o.dryRun ? 0 : drift.length, drift };
    print(json(), r, () => ({ head: ['sku', 'location', 'reserved (was)', 'held reservations', o.dryRun ? 'dry run' : 'now'], rows: drift.map((d) => [d.sku, d.location, d.reserved, d.held, o.dryRun ? d.reserved : d.held]) }));
  }));

program.command('lag').description('consumer lag per service group and topic (a topic the group has never committed on counts from its start)').action(action(async (p) => {
  const admin = p.kafka.admin();
  await admin.connect();
  const rows: { group: string; topic: string; lag: number }[] = [];
  try {
    for (const [service, topics] of Object.entries(consumedTopics(loadServiceDeps(p.config)))) {
      const group = `${p.config.KAFKA_GROUP_PREFIX}-${service}`;
      for (const t of await lagOfGroup(admin, group, topics)) rows.push({ group, ...t });
    }
  } finally {
    await admin.disconnect();
  }
  print(json(), rows, () => ({ head: ['group', 'topic', 'lag'], rows: rows.map((r) => [r.group, r.topic, r.lag]) }));
}));

program.parseAsync(process.argv);
