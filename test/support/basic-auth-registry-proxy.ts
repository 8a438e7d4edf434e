import type { IncomingMessage } from 'http';
import { timingSafeEqual } from 'crypto';
import { startRegistryProxy } from './registry-proxy';

export interface BasicAuthRegistryProxy {
  /** Base URL of the proxy with the upstream's path, e.g. http://127.0.0.1:40123/apis/ccompat/v7. */
  readonly url: string;
  /** Requests refused with 401 so far. */
  readonly refused: number;
  close(): Promise<void>;
}

/**
 * A Schema Registry that demands HTTP basic auth, for tests: a registry proxy in front of the real
 * registry, which has no authentication of its own. Without the right `Authorization: Basic`
 * header it answers 401 in the Confluent error format; with it, the request goes upstream without
 * the header.
 */
export async function startBasicAuthRegistryProxy(upstreamUrl: string, username: string, password: string): Promise<BasicAuthRegistryProxy> {
  const expected = Buffer.from(`Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`);
  let refused = 0;

  const authorized = (req: IncomingMessage) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  const proxy = await startRegistryProxy(upstreamUrl, (req, res) => {
    if (authorized(req)) return false;
    refused++;
    req.resume();
    res.writeHead(401, { 'Content-Type': 'application/vnd.schemaregistry.v1+json', 'WWW-Authenticate': 'Basic realm="schema-registry"' });
    res.end(JSON.stringify({ error_code: 401, message: 'Unauthorized: valid basic-auth credentials are required' }));
    return true;
  });
  return {
    url: proxy.url,
    get refused() {
      return refused;
    },
    close: () => proxy.close(),
  };
}
