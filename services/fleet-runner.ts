import type { Platform } from '../shared/bootstrap';
import { ConfigError } from '../shared/config';
import { ConsumerRunner } from '../shared/runner/consumer-runner';
import { loadServiceDeps } from './deps';
import { selectServices } from './registry';

/**
 * Starts the named services in this process, each with its own consumer group, and stops them
 * all on SIGTERM/SIGINT: each finishes its message, commits, leaves the group; then the pool closes.
 * A stop that takes longer than FLEET_STOP_TIMEOUT_MS exits with code 1.
 */
export async function runFleet(platform: Platform, names: string[], beforeExit: () => Promise<void> = async () => undefined): Promise<void> {
  const services = selectServices(names, loadServiceDeps(platform.config));
  const gaveUp = () => {
    platform.log.fatal('exiting so that the supervisor restarts this process');
    process.exit(1);
  };
  const runners = services.map((s) => new ConsumerRunner(s, { ...platform, onConsumerGaveUp: gaveUp }));
  let stopping: Promise<void> | undefined;
  const shutdown = (signal: string) => {
    stopping ??= (async () => {
      platform.log.info({ signal }, 'shutting down');
      // a chunk that never finishes (a hung call, a broker gone for good) must not keep the process alive
      const timeoutMs = platform.config.FLEET_STOP_TIMEOUT_MS;
      setTimeout(() => {
        platform.log.error({ timeoutMs }, 'did not stop in time; exiting without a clean stop (uncommitted work is redelivered)');
        process.exit(1);
      }, timeoutMs).unref();
      await beforeExit();
      await Promise.allSettled(runners.map((r) => r.stop()));
      await platform.db.destroy();
      platform.log.info('bye');
      process.exit(0);
    })();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  for (const r of runners) await r.start().catch(notProvisioned);
  platform.log.info({ services: services.map((s) => s.name) }, 'fleet running');
}

/** A status store without the project's tables fails at its first statement: say what to run, not a stack trace. */
function notProvisioned(err: unknown): never {
  const e = err as { code?: unknown; message?: unknown };
  if (e?.code !== '42P01') throw err; // undefined_table
  const table = /relation "([^"]+)" does not exist/.exec(String(e.message))?.[1] ?? 'a table';
  throw new ConfigError([`the database at DATABASE_URL has no ${table} table: run \`npm run provision\` (migrations, topics, schemas) before the fleet`]);
}
