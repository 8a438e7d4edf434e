import { spawn } from 'child_process';
import { createServer as createHttpServer, type Server } from 'http';
import { join } from 'path';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'net';
import { AvroCodec, createSchemaRegistry } from '../../shared/contracts/codec';

/** A message in the Confluent wire format naming schema id 7. */
const message = Buffer.from([0, 0, 0, 0, 7, 2, 4]);

const codecAt = (url: string, timeoutMs = 5000) =>
  new AvroCodec(createSchemaRegistry({ SCHEMA_REGISTRY_URL: url, SCHEMA_REGISTRY_USERNAME: '', SCHEMA_REGISTRY_PASSWORD: '' }), timeoutMs);

const listening = async <S extends Server | ReturnType<typeof createTcpServer>>(server: S): Promise<{ url: string; server: S }> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
};

/** A registry address that accepts connections and never answers; `held` is every connection it got. */
const neverAnswering = async () => {
  const held: Socket[] = [];
  const { url, server } = await listening(createTcpServer((socket) => void held.push(socket)));
  return { url, held, close: () => (held.forEach((socket) => socket.destroy()), server.close()) };
};

const answering = (status: number, body: unknown) => listening(createHttpServer((_, res) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))));

describe('schema lookups by id: only the registry saying "not found" makes a message undecodable', () => {
  const servers: { close(): void }[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  it('when the registry answers 404, then the message is permanently unknown_schema (dead-lettered)', async () => {
    const { url, server } = await answering(404, { error_code: 40403, message: 'Schema 7 not found' });
    servers.push(server);
    await expect(codecAt(url).decode(message)).rejects.toMatchObject({ code: 'unknown_schema', retriable: false });
  });

  it('when nothing listens at the registry address, then it is registry_unavailable and retried, not dead-lettered', async () => {
    const { url, server } = await listening(createTcpServer());
    await new Promise((resolve) => server.close(resolve)); // the port is free again: connections are refused
    await expect(codecAt(url).decode(message)).rejects.toMatchObject({ code: 'registry_unavailable', retriable: true });
  });

  it('when the registry accepts the connection and never answers, then the lookup times out as registry_unavailable instead of waiting forever', async () => {
    const registry = await neverAnswering();
    servers.push(registry);
    const started = Date.now();
    await expect(codecAt(registry.url, 200).decode(message)).rejects.toMatchObject({ code: 'registry_unavailable', retriable: true });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('when a lookup is abandoned at its deadline, then the unanswered request does not keep the process alive', async () => {
    const registry = await neverAnswering();
    servers.push(registry);
    const script = `
      const { AvroCodec, createSchemaRegistry } = require('./shared/contracts/codec');
      const codec = new AvroCodec(createSchemaRegistry({ SCHEMA_REGISTRY_URL: ${JSON.stringify(registry.url)}, SCHEMA_REGISTRY_USERNAME: '', SCHEMA_REGISTRY_PASSWORD: '' }), 200);
      codec.decode(Buffer.from([${[...message].join(', ')}])).catch((e) => console.log(e.code));`;
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { cwd: join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = await new Promise<number | null>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 20_000); // the registry stub never answers: only the unref'd socket lets the child end
      child.on('exit', (code) => (clearTimeout(kill), resolve(code)));
    });
    expect(out.trim()).toBe('registry_unavailable');
    expect(exited).toBe(0);
    expect(registry.held.length).toBeGreaterThan(0); // the request did reach the registry and stayed unanswered
  }, 30_000);

  it('when the registry answers 500, then it is registry_unavailable and retried', async () => {
    const { url, server } = await answering(500, { error_code: 50001, message: 'store error' });
    servers.push(server);
    await expect(codecAt(url).decode(message)).rejects.toMatchObject({ code: 'registry_unavailable', retriable: true });
  }, 20_000);
});
