import { createServer, request, IncomingMessage, ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import { timingSafeEqual } from 'crypto';

export interface BasicAuthRegistryProxy {
  /** Base URL of the proxy with the upstream's path, e.g. http://127.0.0.1:40123/apis/ccompat/v7. */
  readonly url: string;
  /** Requests refused with 401 so far. */
  readonly refused: number;
  close(): Promise<void>;
}

/**
 * A Schema Registry that demands HTTP basic auth, for tests: a reverse proxy on 127.0.0.1 (random
 * port) in front of the real registry (`upstreamUrl`, e.g. the local Apicurio ccompat API), which
 * has no authentication of its own. Without the right `Authorization: Basic` header it answers
 * 401 in the Confluent error format; with it, the request goes upstream without the header.
 */
export async function startBasicAuthRegistryProxy(upstreamUrl: string, username: string, password: string): Promise<BasicAuthRegistryProxy> {
  const upstream = new URL(upstreamUrl);
  const basePath = upstream.pathname.replace(/\/$/, '');
  const expected = Buffer.from(`Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`);
  let refused = 0;

  const authorized = (req: IncomingMessage) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (!authorized(req)) {
      refused++;
      req.resume();
      res.writeHead(401, { 'Content-Type': 'application/vnd.schemaregistry.v1+json', 'WWW-Authenticate': 'Basic realm="schema-registry"' });
      res.end(JSON.stringify({ error_code: 401, message: 'Unauthorized: valid basic-auth credentials are required' }));
      return;
    }
    const headers = { ...req.headers, host: upstream.host };
    delete headers.authorization;
    const path = req.url!.startsWith(basePath) ? req.url! : `${basePath}${req.url}`;
    const out = request({ hostname: upstream.hostname, port: upstream.port, method: req.method, path, headers, timeout: 10000 }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on('timeout', () => out.destroy(new Error('upstream timeout')));
    out.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error_code: 502, message: `registry proxy: ${err.message}` }));
    });
    req.pipe(out);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    get refused() {
      return refused;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
