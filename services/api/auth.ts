import type { FastifyReply, FastifyRequest } from 'fastify';

export const SCOPES = ['channel', 'operator', 'support'] as const;
export type Scope = (typeof SCOPES)[number];

/** API keys from configuration (`key:scope`), checked on every route that names scopes. */
export function apiKeyAuth(entries: string[]) {
  const keys = new Map(entries.map((e) => {
    const i = e.lastIndexOf(':');
    return [e.slice(0, i), e.slice(i + 1) as Scope] as const;
  }));
  return (allowed: readonly Scope[]) => async (req: FastifyRequest, reply: FastifyReply) => {
    const header = req.headers.authorization;
    const key = header?.startsWith('Bearer ') ? header.slice(7) : (req.headers['x-api-key'] as string | undefined);
    if (!key) return reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'an API key is required (Authorization: Bearer <key>)' });
    const scope = keys.get(key);
    if (!scope) return reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'unknown API key' });
    if (!allowed.includes(scope)) return reply.code(403).send({ statusCode: 403, error: 'Forbidden', message: `the ${scope} scope may not do this; needs ${allowed.join(' or ')}` });
    req.scope = scope;
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    scope?: Scope;
  }
}
