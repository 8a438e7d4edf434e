import type { FastifyReply, FastifyRequest } from 'fastify';

export const SCOPES = ['channel', 'operator', 'support'] as const;
export type Scope = (typeof SCOPES)[number];

/** A configured key: its scope, and for a channel key the one channel it acts for (`key:channel=web`), if bound. */
export interface ApiKey {
  scope: Scope;
  channel?: string;
}

/** `key:scope` or `key:channel=<name>` (API_KEYS entries, validated at start-up). */
export function parseApiKeys(entries: readonly string[]): Map<string, ApiKey> {
  return new Map(entries.map((e) => {
    const i = e.indexOf(':');
    const [scope, channel] = e.slice(i + 1).split('=') as [Scope, string | undefined];
    return [e.slice(0, i), channel === undefined ? { scope } : { scope, channel }] as const;
  }));
}

/** API keys from configuration, checked on every route that names scopes. */
export function apiKeyAuth(entries: string[]) {
  const keys = parseApiKeys(entries);
  return (allowed: readonly Scope[]) => async (req: FastifyRequest, reply: FastifyReply) => {
    const header = req.headers.authorization;
    const key = header?.startsWith('Bearer ') ? header.slice(7) : (req.headers['x-api-key'] as string | undefined);
    if (!key) return reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'an API key is required (Authorization: Bearer <key>)' });
    const known = keys.get(key);
    if (!known) return reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'unknown API key' });
    const { scope, channel } = known;
    if (!allowed.includes(scope)) return reply.code(403).send({ statusCode: 403, error: 'Forbidden', message: `the ${scope} scope may not do this; needs ${allowed.join(' or ')}` });
    req.scope = scope;
    req.channel = channel;
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    scope?: Scope;
    /** The one channel a bound channel key acts for; undefined for every other key. */
    channel?: string;
  }
}
