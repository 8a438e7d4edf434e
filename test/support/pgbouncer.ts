import { ChildProcess, spawn } from 'child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { Client } from 'pg';
import { eventually } from './stack';

const BINARY = process.env.PGBOUNCER_PATH ?? '/usr/sbin/pgbouncer';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A real PgBouncer (Debian's, `apt-get install pgbouncer`; `PGBOUNCER_PATH` for another) in front
 * of the test database's server, on a port of its own, for as long as a test file runs.
 */
export class PgBouncer {
  private constructor(private readonly child: ChildProcess, private readonly dir: string, readonly port: number, private readonly upstream: URL, readonly output: string[]) {}

  static async start(upstreamUrl: string, poolMode: 'session' | 'transaction'): Promise<PgBouncer> {
    if (!existsSync(BINARY)) throw new Error(`no PgBouncer at ${BINARY}: apt-get install pgbouncer (or set PGBOUNCER_PATH)`);
    const upstream = new URL(upstreamUrl);
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'pgbouncer-'));
    // PgBouncer refuses to run as root: it drops to the postgres user, who must read this
    chmodSync(dir, 0o755);
    const user = decodeURIComponent(upstream.username) || 'postgres';
    writeFileSync(join(dir, 'users.txt'), `"${user}" ""\n`, { mode: 0o644 });
    writeFileSync(join(dir, 'pgbouncer.ini'), [
      '[databases]',
      `* = host=${upstream.hostname} port=${upstream.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      `admin_users = ${user}`,
      `pool_mode = ${poolMode}`,
      'max_client_conn = 200',
      'default_pool_size = 10',
      '',
    ].join('\n'), { mode: 0o644 });
    const asRoot = process.getuid?.() === 0;
    const child = spawn(BINARY, [...(asRoot ? ['-u', 'postgres'] : []), join(dir, 'pgbouncer.ini')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    child.stdout!.on('data', (d: Buffer) => output.push(String(d)));
    child.stderr!.on('data', (d: Buffer) => output.push(String(d)));
    const bouncer = new PgBouncer(child, dir, port, upstream, output);
    try {
      await eventually(`PgBouncer on port ${port}`, async () => {
        if (child.exitCode !== null) throw new Error(`PgBouncer exited with ${child.exitCode}: ${output.join('')}`);
        return (await bouncer.show('VERSION').catch(() => null)) ?? null;
      }, 15000);
    } catch (err) {
      await bouncer.stop();
      throw err;
    }
    return bouncer;
  }

  /** The upstream URL's database, reached through this PgBouncer. */
  get url(): string {
    const url = new URL(this.upstream.toString());
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  /** A `SHOW` of PgBouncer's admin console (STATS, POOLS, VERSION …), its rows. */
  async show(what: string): Promise<Record<string, unknown>[]> {
    const admin = new URL(this.url);
    admin.pathname = '/pgbouncer';
    const client = new Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      // the admin console speaks the simple protocol only: a statement without parameters
      return (await client.query(`SHOW ${what}`)).rows;
    } finally {
      await client.end();
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGINT');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
