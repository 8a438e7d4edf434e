import swagger from '@fastify/swagger';
import Fastify, { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Admin } from 'kafkajs';
import type { MessageSender } from '../../shared/kafka/renewing-producer';
import type { Platform } from '../../shared/bootstrap';
import { DLQ_SUFFIX, TOPICS, TopicKey, topicName } from '../../shared/topics';
import { apiKeyAuth, parseApiKeys } from './auth';
import { CommandPublisher } from '../../shared/command-publisher';
import { operatorPage, trackingPage } from './pages';
import { registerRoutes } from './routes';

/** The HTTP API: schema-validated JSON, API keys with scopes, OpenAPI at /openapi.json, two pages. */
export async function buildApi(platform: Platform, producer: MessageSender, admin: Admin): Promise<FastifyInstance> {
  const { config, db, codec, log } = platform;
  const app = Fastify({
    loggerInstance: log.child({ service: 'api' }) as unknown as FastifyBaseLogger,
    bodyLimit: config.API_BODY_LIMIT_BYTES,
    // Unknown fields are refused rather than silently dropped; types are never coerced in bodies.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false }, plugins: [] },
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Order Management Service API', version: '1.0.0', description: 'Submit, change and read orders. Money is integer minor units.' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'API key from API_KEYS' } } },
    },
  });
  const unbound = [...parseApiKeys(config.API_KEYS).values()].filter((k) => k.scope === 'channel' && k.channel === undefined).length;
  if (unbound > 0) log.warn({ keys: unbound }, 'channel API keys bound to no channel may submit for, read and cancel every channel\'s orders: bind each as <key>:channel=<name>');
  app.setErrorHandler((err: { statusCode?: number; message: string; validation?: unknown }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) log.error({ err }, 'api request failed');
    reply.code(status).send({ statusCode: status, error: status === 500 ? 'Internal Server Error' : status === 413 ? 'Payload Too Large' : 'Bad Request', message: status === 500 ? 'internal error' : err.message });
  });

  const dlqCounts = async () => {
    const out: Record<string, number> = {};
    for (const k of Object.keys(TOPICS) as TopicKey[]) {
      const dlq = topicName(k, config.KAFKA_TOPIC_PREFIX) + DLQ_SUFFIX;
      const offsets = await admin.fetchTopicOffsets(dlq);
      out[dlq] = offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    }
    return out;
  };
  registerRoutes(app, { db, commands: new CommandPublisher(producer, codec, config.KAFKA_TOPIC_PREFIX, 'api'), requireScope: apiKeyAuth(config.API_KEYS) as never, dlqCounts });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/track', { schema: { hide: true } }, async (_req, reply) => reply.type('text/html').send(trackingPage()));
  app.get('/ops', { schema: { hide: true } }, async (_req, reply) => reply.type('text/html').send(operatorPage()));
  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true }));
  return app;
}
