import { ENVELOPE_FIELDS } from '../../shared/runner/handler';
import { API_KEYS_ENV, HttpAnswer, HttpCall, KEYS, startApi } from '../support/api';
import { aSubmitOrder } from '../support/orders';
import { SagaDriver } from '../support/saga';
import { eventually, TestStack } from '../support/stack';

/** The HTTP API over the real broker and status store, with intake and fraud behind it. */
describe('HTTP API', () => {
  const stack = new TestStack({ API_KEYS: API_KEYS_ENV });
  const saga = new SagaDriver(stack);
  const app = { inject: (c: HttpCall): Promise<HttpAnswer> => call(c) };
  let call: (c: HttpCall) => Promise<HttpAnswer>;
  let close: () => Promise<void>;

  beforeAll(async () => {
    await stack.provision();
    await stack.startService(stack.service('intake'));
    await stack.startService(stack.service('fraud'));
    ({ call, close } = await startApi(stack));
  }, 120000);
  afterAll(async () => {
    await close();
    await stack.close();
  });

  const body = (over: Record<string, unknown> = {}) => {
    const cmd = aSubmitOrder() as unknown as Record<string, unknown>;
    for (const f of ENVELOPE_FIELDS) delete cmd[f];
    return { ...cmd, ...over };
  };
  const as = (key: keyof typeof KEYS | null): Record<string, string> => (key ? { authorization: `Bearer ${KEYS[key]}` } : {});
  const submit = (payload: unknown, key: keyof typeof KEYS | null = 'channel') => app.inject({ method: 'POST', url: '/v1/orders', headers: as(key), payload: payload as object });
  const commandsPublished = async () => {
    const admin = stack.platform.kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(stack.topic('orderCommands'));
    await admin.disconnect();
    return offsets.reduce((n, p) => n + Number(p.high), 0);
  };

  it('serves a generated OpenAPI document with every endpoint', async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json().paths).sort()).toEqual([
      '/v1/ops/dlq', '/v1/orders', '/v1/orders/{orderId}', '/v1/orders/{orderId}/cancel', '/v1/orders/{orderId}/lines', '/v1/orders/{orderId}/release-hold', '/v1/track/{token}',
    ]);
    expect(res.json().paths['/v1/orders'].post.requestBody.content['application/json'].schema.required).toContain('channelOrderRef');
  });

  it('when a channel submits an order, then it answers 202 with the order id, twice the same, and one Pending order exists', async () => {
    const b = body();
    const first = await submit(b);
    const again = await submit(b);
    expect(first.statusCode).toBe(202);
    expect(again.json().orderId).toBe(first.json().orderId);
    const order = await saga.waitForState(first.json().orderId, 'Processing');
    expect(order.channel_order_ref).toBe(b.channelOrderRef);
    expect(await stack.db('orders').where({ channel_order_ref: b.channelOrderRef })).toHaveLength(1);
  });

  it.each([
    ['no key', 401, null, 'an API key is required'],
    ['an unknown key', 401, 'nope' as never, 'unknown API key'],
    ['the read-only support scope', 403, 'support', 'the support scope may not do this'],
  ])('when submitting with %s, then it answers %i', async (_what, status, key, message) => {
    const res = key === ('nope' as never) ? await app.inject({ method: 'POST', url: '/v1/orders', headers: { authorization: 'Bearer not-a-key' }, payload: body() }) : await submit(body(), key as never);
    expect(res.statusCode).toBe(status);
    expect(res.json().message).toContain(message);
  });

  it.each([
    ['a missing field', 400, () => { const b = body(); delete b.customer; return b; }, "must have required property 'customer'"],
    ['a wrong type', 400, () => body({ lines: [{ sku: 'A', name: 'a', quantity: '2', unitPriceMinor: 100 }] }), 'quantity must be integer'],
    ['a float price', 400, () => body({ lines: [{ sku: 'A', name: 'a', quantity: 1, unitPriceMinor: 9.99 }] }), 'unitPriceMinor must be integer'],
    ['an unknown field', 400, () => body({ discountPercent: 50 }), 'must NOT have additional properties'],
    ['a huge payload', 413, () => body({ channelOrderRef: 'x'.repeat(70000) }), 'Request body is too large'],
  ])('when the body has %s, then it answers %i with a readable message and publishes nothing', async (_what, status, make, message) => {
    const before = await commandsPublished();
    const res = await submit(make());
    expect(res.statusCode).toBe(status);
    expect(res.json().message).toContain(message);
    expect(await commandsPublished()).toBe(before);
  });

  it('when the body is not JSON, then it answers 400', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/orders', headers: { ...as('channel'), 'content-type': 'application/json' }, payload: '{"channel":' });
    expect(res.statusCode).toBe(400);
  });

  it('get_order returns the order with lines, breakdown and history; unknown ids 404, malformed ids 400', async () => {
    const { orderId } = (await submit(body())).json();
    await saga.waitForState(orderId, 'Processing');
    const res = await app.inject({ method: 'GET', url: `/v1/orders/${orderId}`, headers: as('support') });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ order_id: orderId, state: 'Processing', lines: expect.any(Array), priceComponents: expect.any(Array), payments: [], shipments: [] });
    expect(res.json().history.map((h: { to_state: string }) => h.to_state)).toEqual(['Pending', 'Processing']);
    expect((await app.inject({ method: 'GET', url: '/v1/orders/7f1f6c6a-0000-4000-8000-000000000000', headers: as('support') })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/v1/orders/42', headers: as('support') })).statusCode).toBe(400);
  });

  it('search filters by state, customer and channel and pages with a cursor', async () => {
    const customerId = `C-search-${stack.prefix}`;
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await submit(body({ customer: { ...aSubmitOrder().customer, customerId } }))).json().orderId);
    for (const id of ids) await saga.waitForState(id, 'Processing');
    const page1 = (await app.inject({ method: 'GET', url: `/v1/orders?customerId=${customerId}&state=Processing&limit=2`, headers: as('operator') })).json();
    expect(page1.orders).toHaveLength(2);
    const page2 = (await app.inject({ method: 'GET', url: `/v1/orders?customerId=${customerId}&limit=2&cursor=${page1.nextCursor}`, headers: as('operator') })).json();
    expect(page2).toMatchObject({ nextCursor: null });
    expect([...page1.orders, ...page2.orders].map((o: { order_id: string }) => o.order_id).sort()).toEqual([...ids].sort());
    expect((await app.inject({ method: 'GET', url: '/v1/orders?state=Lost', headers: as('operator') })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/v1/orders', headers: as('channel') })).statusCode).toBe(403);
  });

  it('when several orders share one created_at to the microsecond (one intake chunk), then paging still returns each once', async () => {
    const customerId = `C-same-time-${stack.prefix}`;
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await submit(body({ customer: { ...aSubmitOrder().customer, customerId } }))).json().orderId);
    for (const id of ids) await saga.waitForState(id, 'Processing');
    // as one transaction's inserts have it: now() is the transaction's start, with microseconds a JS Date drops
    await stack.db('orders').whereIn('order_id', ids).update({ created_at: '2026-11-28T01:02:03.456789Z' });
    const seen: string[] = [];
    let cursor = '';
    for (let page = 0; page < 5; page++) {
      const res = (await app.inject({ method: 'GET', url: `/v1/orders?customerId=${customerId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, headers: as('operator') })).json();
      seen.push(...res.orders.map((o: { order_id: string }) => o.order_id));
      if (!res.nextCursor) break;
      cursor = res.nextCursor;
    }
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it('when a search or an order id is one Postgres cannot take (a forged cursor, year 0, an offset past 15:59, urn:uuid:), then it answers 400 saying which, not 500', async () => {
    const forged = Buffer.from(JSON.stringify(['x', 'y'])).toString('base64url');
    const urn = `urn:uuid:${aSubmitOrder().orderId}`;
    const cases: [string, string, string][] = [
      ['GET', `/v1/orders?cursor=${forged}`, 'cursor is not one this API handed out'],
      ['GET', '/v1/orders?from=0000-01-01T00:00:00Z', 'from must be a date-time in the years 1-9999'],
      ['GET', `/v1/orders?to=${encodeURIComponent('2024-01-01T00:00:00+20:00')}`, 'to must be a date-time'],
      ['GET', `/v1/orders/${urn}`, 'params/orderId must match pattern'],
      ['POST', `/v1/orders/${urn}/cancel`, 'params/orderId must match pattern'],
    ];
    for (const [method, url, message] of cases) {
      const res = await app.inject({ method: method as 'GET', url, headers: as('operator'), ...(method === 'POST' ? { payload: {} } : {}) });
      expect([url, res.statusCode, res.json().message]).toEqual([url, 400, expect.stringContaining(message)]);
    }
  });

  it('when a channel key is bound to one channel, then it submits for that channel only and reads, changes and cancels only its orders (others are 404)', async () => {
    expect((await submit(body({ channel: 'web' }), 'shop')).statusCode).toBe(403);
    const own = (await submit(body({ channel: 'shop', channelOrderRef: `SHOP-${aSubmitOrder().orderId}` }), 'shop')).json().orderId as string;
    const other = (await submit(body(), 'channel')).json().orderId as string;
    for (const id of [own, other]) await saga.waitForState(id, 'Processing');
    expect((await app.inject({ method: 'GET', url: `/v1/orders/${own}`, headers: as('shop') })).json()).toMatchObject({ order_id: own, channel: 'shop' });
    expect((await app.inject({ method: 'GET', url: `/v1/orders/${other}`, headers: as('shop') })).statusCode).toBe(404);
    const line = { line: { sku: 'SKU-TEA', name: 'Tea', quantity: 1, unitPriceMinor: 899 } };
    expect((await app.inject({ method: 'POST', url: `/v1/orders/${other}/lines`, headers: as('shop'), payload: line })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: `/v1/orders/${other}/cancel`, headers: as('shop'), payload: {} })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: `/v1/orders/${own}/cancel`, headers: as('shop'), payload: {} })).statusCode).toBe(202);
    expect((await saga.waitForState(own, 'Cancelled')).cancel_reason).toBe('customer_request');
    expect((await saga.order(other))!.state).not.toBe('Cancelled');
    // an unbound channel key still acts on any channel's order (the API warns of such keys at start-up)
    expect((await app.inject({ method: 'GET', url: `/v1/orders/${other}`, headers: as('channel') })).statusCode).toBe(200);
  });

  it('add line, cancel and release-hold publish commands that the saga carries out, within each scope', async () => {
    const { orderId } = (await submit(body())).json();
    await saga.waitForState(orderId, 'Processing');
    const add = await app.inject({ method: 'POST', url: `/v1/orders/${orderId}/lines`, headers: as('channel'), payload: { line: { sku: 'SKU-TEA', name: 'Tea', quantity: 1, unitPriceMinor: 899 } } });
    expect(add.statusCode).toBe(202);
    await eventually('line added', async () => (await stack.db('order_lines').where({ order_id: orderId })).length === 3);
    expect((await app.inject({ method: 'POST', url: `/v1/orders/${orderId}/cancel`, headers: as('channel'), payload: { reason: 'operator' } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: `/v1/orders/${orderId}/release-hold`, headers: as('channel'), payload: {} })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: `/v1/orders/${orderId}/release-hold`, headers: as('operator'), payload: {} })).statusCode).toBe(202);
    const refused = await eventually('release refused (not on hold)', async () => (await saga.history(orderId)).find((h) => h.refused));
    expect(refused.reason).toContain('Processing → Processing is not allowed');
    expect((await app.inject({ method: 'POST', url: `/v1/orders/${orderId}/cancel`, headers: as('channel'), payload: { detail: 'changed my mind' } })).statusCode).toBe(202);
    expect((await saga.waitForState(orderId, 'Cancelled')).cancel_reason).toBe('customer_request');
  });

  it('track_order shows the customer view by token only, without internal reasons or ids', async () => {
    const { orderId } = (await submit(body({ customer: { ...aSubmitOrder().customer, email: 'x@fraud.example' } }))).json();
    // stored Pending, but fraud may cancel it before a probe sees Pending: wait for the row, not the state
    const { tracking_token: token } = await eventually(`order ${orderId} stored`, () => saga.order(orderId));
    // fraud fails it; intake is running, so it becomes Cancelled(fraud_rejected)
    await saga.waitForState(orderId, 'Cancelled');
    const res = await app.inject({ method: 'GET', url: `/v1/track/${token}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'Cancelled', stateText: 'cancelled by the store', items: expect.any(Array) });
    const text = res.body;
    expect(text).not.toMatch(/fraud|blocked|score|order_id|@|tok_/);
    expect((await app.inject({ method: 'GET', url: `/v1/track/${'A'.repeat(32)}` })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/v1/track/${orderId}` })).statusCode).toBe(404);
  });

  it('reports DLQ counts to operators', async () => {
    await stack.publishRaw('orderCommands', Buffer.from('garbage'));
    await eventually('dead-lettered', async () => {
      const res = await app.inject({ method: 'GET', url: '/v1/ops/dlq', headers: as('operator') });
      return res.json().dlq[`${stack.topic('orderCommands')}.dlq`] >= 1;
    });
  });
});
