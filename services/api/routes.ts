import type { FastifyInstance, FastifyReply } from 'fastify';
import { jsonSchemaOf } from '../../shared/contracts/json-schema';
import type { SubmitOrder } from '../../shared/contracts/types.generated';
import type { Db } from '../../shared/db/knex';
import { ORDER_STATES, OrderState } from '../../shared/order-state';
import { getOrder } from '../../shared/read/order-view';
import { ENVELOPE_FIELDS } from '../../shared/runner/handler';
import type { Scope } from './auth';
import { CommandPublisher, submissionIds } from '../../shared/command-publisher';
import { searchOrders, trackOrder } from '../../shared/read/order-queries';
import { UUID } from '../../shared/uuid';

export interface RouteDeps {
  db: Db;
  commands: CommandPublisher;
  requireScope: (allowed: readonly Scope[]) => (req: never, reply: never) => Promise<unknown>;
  dlqCounts: () => Promise<Record<string, number>>;
}

// a pattern, not format: uuid, which also takes `urn:uuid:…` (ajv-formats) that Postgres refuses
const orderIdParams = { type: 'object', required: ['orderId'], properties: { orderId: { type: 'string', pattern: UUID.source } } } as const;
const accepted = { type: 'object', properties: { orderId: { type: 'string' }, commandId: { type: 'string' }, status: { type: 'string' } } } as const;
const security = [{ apiKey: [] }];
const refusal = { type: 'object', properties: { statusCode: { type: 'number' }, error: { type: 'string' }, message: { type: 'string' } } } as const;

/** 404 for an order that does not exist, or that a bound channel key may not see (the two answer alike). */
const orderNotFound = (reply: FastifyReply, orderId: string) => reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `order ${orderId} not found` });

export function registerRoutes(app: FastifyInstance, d: RouteDeps): void {
  const auth = (...scopes: Scope[]) => ({ onRequest: d.requireScope(scopes) as never, schema: { security } });
  /** Whether a key may act on the order: any key but a bound channel key, which only on its channel's orders. */
  const ownOrder = async (channel: string | undefined, orderId: string) =>
    channel === undefined || (await d.db('orders').where({ order_id: orderId, channel }).first('order_id')) !== undefined;

  app.post('/v1/orders', {
    ...auth('channel', 'operator'),
    schema: {
      summary: 'submit_order: place an order (idempotent by channel + channelOrderRef)',
      security,
      body: jsonSchemaOf('io.oms.commands.SubmitOrder', ENVELOPE_FIELDS),
      response: { 202: accepted, 403: refusal },
    },
  }, async (req, reply) => {
    const body = req.body as Omit<SubmitOrder, (typeof ENVELOPE_FIELDS)[number]>;
    if (req.channel !== undefined && body.channel !== req.channel) return reply.code(403).send({ statusCode: 403, error: 'Forbidden', message: `this key submits for channel ${req.channel} only` });
    // A retried POST carries the same command id, so intake's inbox sees a duplicate.
    const { orderId, commandId } = submissionIds(body.channel, body.channelOrderRef);
    await d.commands.publish('io.oms.commands.SubmitOrder', { ...body, orderId } as never, commandId);
    return reply.code(202).send({ orderId, commandId, status: 'accepted' });
  });

  app.get('/v1/orders/:orderId', { ...auth('operator', 'support', 'channel'), schema: { summary: 'get_order: order, lines, price breakdown, payments, shipments, history', security, params: orderIdParams } }, async (req, reply) => {
    const { orderId } = req.params as { orderId: string };
    const order = await getOrder(d.db, orderId);
    // another channel's order is as unknown to a bound channel key as a missing one
    if (!order || (req.channel !== undefined && order.channel !== req.channel)) return orderNotFound(reply, orderId);
    return order;
  });

  app.get('/v1/orders', {
    ...auth('operator', 'support'),
    schema: {
      summary: 'search orders by state, customer, channel and date range (newest first, paginated)',
      security,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          state: { type: 'string', enum: [...ORDER_STATES] },
          customerId: { type: 'string', maxLength: 200 },
          channel: { type: 'string', maxLength: 200 },
          from: { type: 'string', format: 'date-time' },
          to: { type: 'string', format: 'date-time' },
          limit: { type: 'string', pattern: '^([1-9][0-9]?|100)$', description: '1-100, default 20' },
          cursor: { type: 'string', maxLength: 500 },
        },
      },
    },
  }, async (req) => {
    const q = req.query as Record<string, string | undefined>;
    return searchOrders(d.db, { ...q, state: q.state as OrderState | undefined, limit: Number(q.limit ?? 20) });
  });

  app.post('/v1/orders/:orderId/lines', {
    ...auth('channel', 'operator'),
    schema: {
      summary: 'add_line_item: add a line before fulfillment is requested',
      security,
      params: orderIdParams,
      body: jsonSchemaOf('io.oms.commands.AddLineItem', [...ENVELOPE_FIELDS, 'requestedBy']),
      response: { 202: accepted, 404: refusal },
    },
  }, async (req, reply) => {
    const { orderId } = req.params as { orderId: string };
    if (!(await ownOrder(req.channel, orderId))) return orderNotFound(reply, orderId);
    const { line } = req.body as { line: SubmitOrder['lines'][number] };
    const commandId = await d.commands.publish('io.oms.commands.AddLineItem', { orderId, line, requestedBy: req.scope! });
    return reply.code(202).send({ orderId, commandId, status: 'accepted' });
  });

  app.post('/v1/orders/:orderId/cancel', {
    ...auth('channel', 'operator'),
    schema: {
      summary: 'cancel_order: accepted until the order ships; compensations follow',
      security,
      params: orderIdParams,
      body: {
        type: 'object',
        additionalProperties: false,
        properties: { reason: { type: 'string', enum: ['customer_request', 'operator'] }, detail: { type: 'string', maxLength: 500 } },
      },
      response: { 202: accepted, 403: refusal, 404: refusal },
    },
  }, async (req, reply) => {
    const { orderId } = req.params as { orderId: string };
    if (!(await ownOrder(req.channel, orderId))) return orderNotFound(reply, orderId);
    const body = (req.body ?? {}) as { reason?: 'customer_request' | 'operator'; detail?: string };
    if (body.reason === 'operator' && req.scope !== 'operator') return reply.code(403).send({ statusCode: 403, error: 'Forbidden', message: 'only the operator scope may cancel with reason operator' });
    const commandId = await d.commands.publish('io.oms.commands.CancelOrder', { orderId, reason: body.reason ?? 'customer_request', requestedBy: req.scope!, detail: body.detail ?? null });
    return reply.code(202).send({ orderId, commandId, status: 'accepted' });
  });

  app.post('/v1/orders/:orderId/release-hold', {
    ...auth('operator'),
    schema: {
      summary: 'release an order held for fraud review',
      security,
      params: orderIdParams,
      body: { type: 'object', additionalProperties: false, properties: { note: { type: 'string', maxLength: 500 }, operator: { type: 'string', maxLength: 100 } } },
      response: { 202: accepted },
    },
  }, async (req, reply) => {
    const { orderId } = req.params as { orderId: string };
    const body = (req.body ?? {}) as { note?: string; operator?: string };
    const commandId = await d.commands.publish('io.oms.commands.ReleaseOrderHold', { orderId, operator: body.operator ?? 'operator', note: body.note ?? null });
    return reply.code(202).send({ orderId, commandId, status: 'accepted' });
  });

  app.get('/v1/track/:token', {
    schema: { summary: 'track_order: the customer view, by tracking token (no API key)', params: { type: 'object', required: ['token'], properties: { token: { type: 'string', maxLength: 100 } } } },
  }, async (req, reply) => {
    const { token } = req.params as { token: string };
    const view = /^[A-Za-z0-9_-]{32}$/.test(token) ? await trackOrder(d.db, token) : null;
    if (!view) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'no order has this tracking code' });
    return view;
  });

  app.get('/v1/ops/dlq', { ...auth('operator', 'support'), schema: { summary: 'messages waiting in each dead-letter topic', security } }, async () => ({ dlq: await d.dlqCounts() }));
}
