import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';

type RegistryMiddleware = NonNullable<ConstructorParameters<typeof SchemaRegistry>[0]['middlewares']>[number];

/**
 * A timeout for every registry request. Without one, a request the registry never answers waits
 * forever, and the consumer waiting on it never heartbeats or fetches again.
 */
export const registryRequestTimeout = (timeoutMs: number): RegistryMiddleware => () => ({
  async prepareRequest(next) {
    const request = await next();
    return request.timeout() ? request : request.enhance({ timeout: timeoutMs });
  },
});
