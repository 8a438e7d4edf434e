import { Agent as HttpAgent } from 'http';
import { Agent as HttpsAgent } from 'https';
import type { Socket } from 'net';

/**
 * The schema registry client's connection pool, whose sockets never keep the process alive. Every
 * registry call waits under the codec's deadline timer, which does; a request the registry never
 * answers is abandoned at that deadline, and its socket would otherwise hold the process open
 * until the registry closes the connection (a full test run hung on one, ninth session: Apicurio
 * left a registration unanswered). Node re-refs a pooled socket when a request reuses it, so both
 * new and reused sockets are unref'd.
 */
export function unrefRegistryAgent(url: string): HttpAgent {
  const agent = url.startsWith('https:') ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const pooled = agent as unknown as {
    createConnection(...args: unknown[]): Socket;
    reuseSocket(socket: Socket, request: unknown): void;
  };
  const createConnection = pooled.createConnection.bind(agent);
  pooled.createConnection = (...args) => createConnection(...args).unref();
  const reuseSocket = pooled.reuseSocket.bind(agent);
  pooled.reuseSocket = (socket, request) => {
    reuseSocket(socket, request);
    socket.unref();
  };
  return agent;
}
