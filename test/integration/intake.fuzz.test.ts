import fc from 'fast-check';
import type { Address, OrderLineInput, SubmitOrder } from '../../shared/contracts/types.generated';
import { DLQ_HEADERS } from '../../shared/runner/dlq';
import { dlqName } from '../../shared/topics';
import { aSubmitOrder } from '../support/orders';
import { eventually, TestStack } from '../support/stack';

/**
 * Property-based fuzzing of SubmitOrder contents through the real broker, registry and status
 * store: every input intake receives is either accepted (Pending, sane integer totals) or stored
 * Rejected with readable reasons, or dead-lettered on purpose with its reason header — never a
 * crash (an unclassified `handler_failed`), a stall, or a silent loss.
 *
 * Reproduce a failure with FUZZ_SEED=<seed printed in the failure> (FUZZ_RUNS to change the size).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 424242);
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const ACCOUNTING_TIMEOUT_MS = 45_000;

const INT_MAX = 2 ** 31 - 1;
const INT_MIN = -(2 ** 31);

// ---- strings --------------------------------------------------------------------------------

const oddStrings = [
  '', ' ', '   ', '\t', '\n', '\r\n', '\u00a0', '\u200b', '\u3000', // empty and whitespace only
  '\u0000', 'a\u0000b', '\u0007\u001b[31m', '\ud800', 'x\udfffy', '\ufeff', '\ufffd', // NUL, controls, lone surrogates, BOM
  'Zoë', 'e\u0301', '東京都', 'Ωmega', '\u202eevil', '👩‍👩‍👧‍👦', '🙂'.repeat(60), 'Ǆ', 'ﬃ', 'İstanbul', // unicode
  "O'Brien", '"quoted"', '\\', '%s %d', '${x}', '<script>', "'; DROP TABLE orders; --", '{"a":1}', // injection-ish
];
const huge = fc.oneof(
  fc.constantFrom('x'.repeat(201), 'é'.repeat(2_000), '🙂'.repeat(3_000), 'A'.repeat(20_000), 'a\u0000'.repeat(500)),
  fc.string({ unit: 'binary', minLength: 1_000, maxLength: 1_000 }), // incompressible: ~4 kB that Postgres must store (and index)
);

/** Any string the Avro `string` type can carry, biased towards the interesting ones. */
const weird = (allowHuge = true): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...oddStrings) },
    { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
    { weight: allowHuge ? 1 : 0, arbitrary: huge },
  );
const nullable = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 3 });

// ---- numbers, within the Avro int and long types ----------------------------------------------

const quantity = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 5 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, 10_000, 10_001, INT_MAX, INT_MIN) },
  { weight: 1, arbitrary: fc.integer({ min: INT_MIN, max: INT_MAX }) },
);
const unitPriceMinor = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 100_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, -100, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1, Number.MIN_SAFE_INTEGER, Math.floor(Number.MAX_SAFE_INTEGER / 10_000), 2 ** 50) },
  { weight: 1, arbitrary: fc.maxSafeInteger() },
);
const weightGrams = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 5_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(-1, INT_MAX, INT_MIN) },
);
const millis = fc.constantFrom(0, -1, 8.64e15, -8.64e15, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, Date.parse('1999-12-31T23:59:59Z'));

// ---- lines ----------------------------------------------------------------------------------

const sku = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('SKU-MUG', 'SKU-TEA', 'BOOK', 'a.b_c-1', 'X'.repeat(64)) },
  { weight: 1, arbitrary: fc.constantFrom('X'.repeat(65), 'sku with space', 'SKU/1', 'ÄPFEL') },
  { weight: 1, arbitrary: weird(false) },
);
const line = (allowHuge: boolean): fc.Arbitrary<OrderLineInput> =>
  fc.record({
    sku,
    name: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('Mug', 'Tea', 'Book') }, { weight: 1, arbitrary: weird(allowHuge) }),
    quantity,
    unitPriceMinor,
    weightGrams,
  });
const lines: fc.Arbitrary<OrderLineInput[]> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<OrderLineInput[]>([]) },
  { weight: 3, arbitrary: line(true).map((l) => [l]) },
  { weight: 3, arbitrary: fc.array(line(false), { minLength: 2, maxLength: 8 }) },
  { weight: 2, arbitrary: fc.array(line(false), { minLength: 60, maxLength: 60 }) },
  { weight: 1, arbitrary: fc.array(line(false), { minLength: 101, maxLength: 101 }) },
  { weight: 1, arbitrary: fc.constant(Array.from({ length: 7_000 }, (_, i) => ({ sku: `S${i}`, name: 'n', quantity: i % 2, unitPriceMinor: 1, weightGrams: 0 }))) }, // far over the limit
  { weight: 2, arbitrary: fc.tuple(line(false), fc.integer({ min: 2, max: 5 })).map(([l, n]) => Array.from({ length: n }, () => ({ ...l }))) }, // duplicate SKUs
  { weight: 2, arbitrary: fc.tuple(line(false), line(false)).map(([a, b]) => [a, { ...b, sku: a.sku }]) },
);

// ---- addresses --------------------------------------------------------------------------------

const country = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('US', 'DE', 'GB', 'FR', 'JP', 'CA') },
  { weight: 1, arbitrary: fc.constantFrom('us', 'USA', 'ZZ', 'U', '', ' US') },
  { weight: 1, arbitrary: weird() },
);
const text = (valid: string) => fc.oneof({ weight: 2, arbitrary: fc.constant(valid) }, { weight: 1, arbitrary: weird() });
const address: fc.Arbitrary<Address> = fc.record({
  name: text('Ada Lovelace'),
  line1: text('1 Analytical Way'),
  line2: nullable(weird()),
  city: text('San Francisco'),
  region: nullable(fc.oneof(fc.constantFrom('CA', 'NY', 'TX'), weird())),
  postalCode: text('94105'),
  country,
});

// ---- mutations of a valid order (aSubmitOrder) ------------------------------------------------

type Mutation = { label: string; value: unknown; apply: (o: SubmitOrder) => void };
const mutation = <T>(label: string, arb: fc.Arbitrary<T>, apply: (o: SubmitOrder, v: T) => void): fc.Arbitrary<Mutation> =>
  arb.map((value) => ({ label, value, apply: (o: SubmitOrder) => apply(o, value) }));

const mutations: fc.Arbitrary<Mutation>[] = [
  mutation('channel', weird(), (o, v) => (o.channel = v)),
  mutation('channelOrderRef', weird(), (o, v) => (o.channelOrderRef = v)),
  mutation('customer.customerId', weird(), (o, v) => (o.customer.customerId = v)),
  mutation('customer.name', weird(), (o, v) => (o.customer.name = v)),
  mutation('customer.email', fc.oneof(fc.constantFrom('a@b.c', 'ü@ü.ü', ' a@b.c', 'a@@b.c', 'no-at-sign', `${'x'.repeat(300)}@example.com`), weird()), (o, v) => (o.customer.email = v)),
  mutation('customer.phone', nullable(fc.oneof(fc.constantFrom('+14155550100', '+0123', '4155550100', '+1 415 555 0100'), weird())), (o, v) => (o.customer.phone = v)),
  mutation('customer.contactPreference', fc.constantFrom('EMAIL', 'SMS', 'NONE') as fc.Arbitrary<'EMAIL' | 'SMS' | 'NONE'>, (o, v) => (o.customer.contactPreference = v)),
  mutation('customer.accountCreatedAt', nullable(millis), (o, v) => (o.customer.accountCreatedAt = v)),
  mutation('shippingAddress', address, (o, v) => (o.shippingAddress = v)),
  mutation('shippingAddress.country', country, (o, v) => (o.shippingAddress.country = v)),
  mutation('billingAddress', nullable(address), (o, v) => (o.billingAddress = v)),
  mutation('lines', lines, (o, v) => (o.lines = v)),
  mutation('currency', fc.oneof(fc.constantFrom('USD', 'EUR', 'GBP', 'JPY', 'CHF', 'KRW', 'usd', 'XXX', ' USD', 'US$'), weird()), (o, v) => (o.currency = v)),
  mutation('shippingMethod', fc.oneof(fc.constantFrom('standard', 'express', 'overnight', 'Standard', 'teleport'), weird()), (o, v) => (o.shippingMethod = v)),
  mutation('promotionCodes', fc.array(fc.oneof(fc.constantFrom('SAVE10', 'FIVEOFF', 'FREESHIP', 'NOPE', 'save10'), weird(false)), { maxLength: 6 }), (o, v) => (o.promotionCodes = v)),
  mutation('promotionCodes (duplicated)', fc.constantFrom('SAVE10', 'FIVEOFF', 'FREESHIP', 'NOPE'), (o, v) => (o.promotionCodes = [v, v, v])),
  mutation('payment.method', fc.oneof(fc.constantFrom('card', 'wallet', 'invoice', 'cash', 'CARD'), weird()), (o, v) => (o.payment.method = v)),
  mutation('payment.token', fc.oneof(fc.constantFrom('', ' ', 'tok_approve_x', 'tok_decline_x'), weird()), (o, v) => (o.payment.token = v)),
  mutation('payment.billingCountry', nullable(country), (o, v) => (o.payment.billingCountry = v)),
  mutation('deliveryPreferences', nullable(fc.record({ instructions: nullable(weird()), preferredWindow: nullable(weird()) })), (o, v) => (o.deliveryPreferences = v)),
  // the envelope: what a channel could get wrong too
  mutation('orderId', fc.constantFrom('', 'not-a-uuid', '{00000000-0000-0000-0000-000000000000}', 'UPPER'), (o, v) => (o.orderId = v === 'UPPER' ? o.orderId.toUpperCase() : v)),
  mutation('correlationId', fc.oneof(fc.constantFrom('corr-1', ''), weird(false)), (o, v) => (o.correlationId = v)),
  mutation('causationId', nullable(weird(false)), (o, v) => (o.causationId = v)),
  mutation('producer', weird(false), (o, v) => (o.producer = v)),
  mutation('orderVersion', fc.constantFrom(-1, 7, INT_MAX, INT_MIN), (o, v) => (o.orderVersion = v)),
  mutation('occurredAt', millis, (o, v) => (o.occurredAt = v)),
];

/** A fifth plain valid orders, the rest valid orders with one to six fields made odd. */
const fuzzInput: fc.Arbitrary<Mutation[]> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<Mutation[]>([]) },
  { weight: 4, arbitrary: fc.array(fc.oneof(...mutations), { minLength: 1, maxLength: 6 }) },
);

function build(ms: Mutation[]): SubmitOrder {
  const o = aSubmitOrder();
  o.customer = { ...o.customer };
  o.shippingAddress = { ...o.shippingAddress };
  o.payment = { ...o.payment };
  for (const m of ms) m.apply(o);
  return o;
}

const show = (v: unknown) => {
  const s = JSON.stringify(v, (_k, x) => (typeof x === 'string' && x.length > 40 ? `${x.slice(0, 40)}…(${x.length} chars)` : Array.isArray(x) && x.length > 8 ? [...x.slice(0, 8), `…(${x.length} items)`] : x));
  return s === undefined ? String(v) : s.length > 400 ? `${s.slice(0, 400)}…` : s;
};

const READABLE = /^[^\u0000-\u0008\u000b-\u001f\u007f]+$/;
const isReadable = (s: unknown): s is string => typeof s === 'string' && s.trim().length > 0 && s.length <= 1_000 && READABLE.test(s);

interface Input {
  n: number;
  mutations: Mutation[];
  sent: SubmitOrder; // as decoded from the bytes sent: what intake sees
}

describe('intake fuzz: every SubmitOrder is accepted, rejected with readable reasons, or dead-lettered on purpose', () => {
  const stack = new TestStack();
  const dlq = dlqName(stack.topic('orderCommands'));
  const crashes: string[] = [];
  const onUnhandled = (e: unknown) => crashes.push(`unhandled: ${(e as Error)?.stack ?? String(e)}`);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
    await stack.provision();
    await stack.watch([dlq, stack.topic('orders')]);
    const runner = await stack.startService(stack.service('intake'));
    const consumer = (runner as unknown as { consumer?: { on: (e: string, l: (ev: { payload: unknown }) => void) => void; events: { CRASH: string } } }).consumer;
    consumer?.on(consumer.events.CRASH, (ev) => crashes.push(`intake consumer crashed: ${show(ev.payload)}`));
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
    await stack.close();
  });

  it(`accounts for ${RUNS} fuzzed SubmitOrders (seed ${SEED}) and keeps consuming`, async () => {
    const started = Date.now();
    const samples = fc.sample(fuzzInput, { seed: SEED, numRuns: RUNS });
    const inputs: Input[] = [];
    let notAvro = 0;
    const topic = stack.topic('orderCommands');
    for (const [n, ms] of samples.entries()) {
      const cmd = build(ms);
      let bytes: Buffer;
      try {
        bytes = await stack.platform.codec.encode(topic, 'io.oms.commands.SubmitOrder', cmd);
      } catch {
        notAvro++; // not a SubmitOrder at all: nothing to send
        continue;
      }
      const sent = (await stack.platform.codec.decode(bytes)).value as unknown as SubmitOrder;
      inputs.push({ n, mutations: ms, sent });
      await stack.publishRaw('orderCommands', bytes, cmd.orderId);
    }
    const publishedMs = Date.now() - started;

    const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
    const uuids = [...new Set(inputs.map((i) => i.sent.orderId).filter(isUuid))];
    const eventIds = inputs.map((i) => i.sent.eventId);
    const keyOf = (channel: string, ref: string) => JSON.stringify([channel, ref]);

    type Outcome = { kind: 'accepted' | 'rejected' | 'dead-lettered' | 'repeat'; row?: Record<string, unknown>; dlqReason?: string; dlqError?: string };
    const account = async () => {
      const rows = uuids.length
        ? await stack.db('orders').whereIn('order_id', uuids).select(
            'order_id', 'state', 'channel', 'channel_order_ref', 'rejection_reasons',
            stack.db.raw('subtotal_minor::text AS subtotal, discount_minor::text AS discount, tax_minor::text AS tax, shipping_minor::text AS shipping, total_minor::text AS total'),
          )
        : [];
      const byId = new Map(rows.map((r) => [String(r.order_id).toLowerCase(), r]));
      const byKey = new Map(rows.map((r) => [keyOf(r.channel, r.channel_order_ref), r]));
      const inbox = new Set((await stack.db('inbox').where({ consumer: 'intake' }).whereIn('event_id', eventIds).select('event_id')).map((r) => r.event_id as string));
      const dead = new Map(stack.messages((m) => m.topic === dlq).map((m) => [(m.value as { eventId?: string } | null)?.eventId, m]));
      const outcomes = new Map<Input, Outcome>();
      for (const i of inputs) {
        const row = isUuid(i.sent.orderId) ? byId.get(i.sent.orderId.toLowerCase()) : undefined;
        const d = dead.get(i.sent.eventId);
        if (row) outcomes.set(i, { kind: row.state === 'Rejected' ? 'rejected' : 'accepted', row });
        else if (d) outcomes.set(i, { kind: 'dead-lettered', dlqReason: d.headers[DLQ_HEADERS.reason], dlqError: d.headers[DLQ_HEADERS.error] });
        else if (inbox.has(i.sent.eventId) && byKey.has(keyOf(i.sent.channel, i.sent.channelOrderRef))) outcomes.set(i, { kind: 'repeat', row: byKey.get(keyOf(i.sent.channel, i.sent.channelOrderRef)) });
      }
      return outcomes;
    };

    let outcomes = await account();
    try {
      outcomes = await eventually('every fuzzed order accounted for', async () => {
        const o = await account();
        return o.size === inputs.length ? o : null;
      }, ACCOUNTING_TIMEOUT_MS);
    } catch {
      outcomes = await account(); // report what is missing below
    }
    const accountedMs = Date.now() - started;

    // The consumer did not stall: a valid order sent after all of them is placed.
    const sentinel = aSubmitOrder();
    await stack.publish('io.oms.commands.SubmitOrder', sentinel);
    const placed = await eventually('sentinel Pending', async () => (await stack.db('orders').where({ order_id: sentinel.orderId, state: 'Pending' }).first()) ?? null, 20_000).catch(() => null);

    // Every stored order announced itself on oms.orders (the outbox encoded and sent it).
    const stored = [...outcomes.entries()].filter(([, o]) => o.kind === 'accepted' || o.kind === 'rejected');
    const announced = () => new Set(stack.messages((m) => m.topic === stack.topic('orders')).map((m) => `${m.key?.toLowerCase()}|${m.recordName}`));
    const eventName = (o: Outcome) => (o.kind === 'accepted' ? 'io.oms.orders.OrderPlaced' : 'io.oms.orders.OrderRejected');
    await eventually('OrderPlaced/OrderRejected for every stored order', async () => {
      const a = announced();
      return stored.every(([i, o]) => a.has(`${i.sent.orderId.toLowerCase()}|${eventName(o)}`));
    }, 15_000).catch(() => undefined);
    const events = announced();

    const history = new Map(
      (await stack.db('order_status_history').whereIn('order_id', uuids).whereNull('from_state').select('order_id', 'to_state', 'reason')).map((h) => [String(h.order_id), h]),
    );
    const lineCounts = new Map(
      (await stack.db('order_lines').whereIn('order_id', uuids).groupBy('order_id').select('order_id', stack.db.raw('count(*)::int AS n, min(line_total_minor)::text AS min_total'))).map((r) => [String(r.order_id), r]),
    );

    // ---- the properties ----
    const problems: string[] = [...crashes];
    const fail = (i: Input, what: string) => problems.push(`#${i.n} ${what}\n    input: ${i.mutations.map((m) => `${m.label}=${show(m.value)}`).join(', ') || '(plain valid order)'}`);
    for (const i of inputs) {
      const o = outcomes.get(i);
      if (!o) {
        fail(i, `missing: no order row, no DLQ message, not a repeat (orderId ${show(i.sent.orderId)})`);
        continue;
      }
      const id = String(o.row?.order_id ?? '');
      if (o.kind === 'dead-lettered') {
        if (!o.dlqReason) fail(i, 'dead-lettered without a dlq-reason header');
        else if (o.dlqReason === 'handler_failed') fail(i, `intake crashed on it (dead-lettered as handler_failed: ${o.dlqError})`);
        if (!isReadable(o.dlqError)) fail(i, `dead-lettered without a readable dlq-error: ${show(o.dlqError)}`);
        continue;
      }
      if (o.kind === 'repeat') continue; // (channel, channelOrderRef) already taken: the documented idempotency
      if (!events.has(`${id}|${eventName(o)}`)) fail(i, `${o.kind} but no ${eventName(o)} on oms.orders`);
      const h = history.get(id);
      if (!h || h.to_state !== o.row!.state) fail(i, `no initial status history row (${show(h)})`);
      if (o.kind === 'rejected') {
        const reasons = o.row!.rejection_reasons as { field?: unknown; code?: unknown; message?: unknown }[] | null;
        if (!Array.isArray(reasons) || reasons.length === 0) fail(i, `rejected without reasons: ${show(reasons)}`);
        else for (const r of reasons) if (!isReadable(r.field) || !isReadable(r.code) || !isReadable(r.message)) fail(i, `unreadable reason ${show(r)}`);
        if (!isReadable(h?.reason?.slice(0, 1_000))) fail(i, `history reason unreadable: ${show(h?.reason)}`);
        continue;
      }
      if (o.row!.state !== 'Pending') fail(i, `accepted in state ${o.row!.state}`);
      const [sub, disc, tax, ship, total] = ['subtotal', 'discount', 'tax', 'shipping', 'total'].map((k) => BigInt(o.row![k] as string));
      for (const v of [sub!, disc!, tax!, ship!, total!]) if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) fail(i, `accepted with an amount outside 0..MAX_SAFE_INTEGER: ${v}`);
      if (total !== sub! - disc! + tax! + ship!) fail(i, `accepted with total ${total} ≠ ${sub} − ${disc} + ${tax} + ${ship}`);
      const lc = lineCounts.get(id);
      if (!lc || lc.n !== i.sent.lines.length) fail(i, `accepted with ${lc?.n ?? 0} stored lines for ${i.sent.lines.length} sent`);
      else if (BigInt(lc.min_total) < 0n) fail(i, `accepted with a negative line total ${lc.min_total}`);
    }
    if (!placed) problems.push('the sentinel order sent after the fuzz inputs never reached Pending: intake stalled');

    const tally: Record<string, number> = { notAvro };
    for (const o of outcomes.values()) tally[o.kind] = (tally[o.kind] ?? 0) + 1;
    const summary = `seed ${SEED}, ${inputs.length} sent in ${publishedMs} ms, accounted after ${accountedMs} ms: ${JSON.stringify(tally)}`;
    if (problems.length > 0) {
      throw new Error(`intake fuzz failed (reproduce with FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}); ${summary}\n${problems.length} problem(s):\n${problems.slice(0, 40).join('\n')}`);
    }
    if (process.env.FUZZ_VERBOSE) {
      const why = (o: Outcome) => (o.kind === 'dead-lettered' ? o.dlqError : o.kind === 'rejected' ? [...new Set((o.row!.rejection_reasons as { code: string }[]).map((r) => r.code))].sort().join('+') : o.kind);
      const kinds: Record<string, number> = {};
      for (const o of outcomes.values()) {
        const k = `${o.kind}: ${String(why(o)).replace(/"(?:[^"\\]|\\.)*"|\d+/g, '…').slice(0, 80)}`;
        kinds[k] = (kinds[k] ?? 0) + 1;
      }
      console.log(`${summary}\n${Object.entries(kinds).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${String(n).padStart(4)} ${k}`).join('\n')}`);
    }
    expect(tally.accepted).toBeGreaterThan(0);
    expect(tally.rejected).toBeGreaterThan(0);
  }, 120_000);
});
