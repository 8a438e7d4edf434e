import type { FastifyInstance } from 'fastify';
import type { Admin, Producer } from 'kafkajs';
import { buildApi } from '../../services/api/server';
import { createIdempotentProducer } from '../../shared/kafka/client';
import type { TestStack } from './stack';

export const KEYS = {
  channel: 'test-channel-key-0001',
  operator: 'test-operator-key-0001',
  support: 'test-support-key-00001',
  /** bound to the channel `shop` */
  shop: 'test-shop-channel-key-01',
};
export const API_KEYS_ENV = `${KEYS.channel}:channel,${KEYS.operator}:operator,${KEYS.support}:support,${KEYS.shop}:channel=shop`;

/** The API on the test stack's topics; `close` releases its producer and admin. */
export interface HttpCall {
  method: string;
  url: string;
  headers?: Record<string, string>;
  payload?: object | string;
}
export interface HttpAnswer {
  statusCode: number;
  body: string;
  json: () => any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** The API listening on a free loopback port; `call` speaks real HTTP to it. */
export async function startApi(stack: TestStack): Promise<{ app: FastifyInstance; baseUrl: string; call: (c: HttpCall) => Promise<HttpAnswer>; close: () => Promise<void> }> {
  const producer: Producer = createIdempotentProducer(stack.platform.kafka);
  const admin: Admin = stack.platform.kafka.admin();
  await producer.connect();
  await admin.connect();
  const app = await buildApi(stack.platform, producer, admin);
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  const call = async (c: HttpCall): Promise<HttpAnswer> => {
    const hasBody = c.payload !== undefined;
    const res = await fetch(baseUrl + c.url, {
      method: c.method,
      headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...c.headers },
      body: hasBody ? (typeof c.payload === 'string' ? c.payload : JSON.stringify(c.payload)) : undefined,
    });
    const body = await res.text();
    return { statusCode: res.status, body, json: () => JSON.parse(body) };
  };
  return {
    app,
    baseUrl,
    call,
    close: async () => {
      await app.close();
      await producer.disconnect();
      await admin.disconnect();
    },
  };
}
