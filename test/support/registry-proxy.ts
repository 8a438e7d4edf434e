import { createServer, request, IncomingMessage, ServerResponse } from 'http';
import type { AddressInfo } from 'net';

export interface RegistryProxy {
  /** Base URL of the proxy with the upstream's path, e.g. http://127.0.0.1:40123/apis/ccompat/v7. */
  readonly url: string;
  /** Requests received so far. */
  readonly seen: number;
  /** Closes the proxy and every connection to it, answered or held. */
  close(): Promise<void>;
}

/**
 * Answers a request itself (or holds it unanswered) and returns true, or returns false to pass it
 * upstream. `n` is the request's number, from 1.
 */
export type Intercept = (req: IncomingMessage, res: ServerResponse, n: number) => boolean;

/**
 * A reverse proxy on 127.0.0.1 (random port) in front of the real registry (`upstreamUrl`, e.g. the
 * local Apicurio ccompat API), for tests that need a registry misbehaving in one way. Requests
 * `intercept` leaves go upstream without an Authorization header (the local registry has no auth).
 */
export async function startRegistryProxy(upstreamUrl: string, intercept: Intercept): Promise<RegistryProxy> {
  const upstream = new URL(upstreamUrl);
  const basePath = upstream.pathname.replace(/\/$/, '');
  let seen = 0;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (intercept(req, res, ++seen)) return;
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
    get seen() {
      return seen;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
