import type { Platform } from '../shared/bootstrap';
import { ConfigError } from '../shared/config';
import type { Logger } from '../shared/logger';
import { ConsumerRunner } from '../shared/runner/consumer-runner';
import { loadServiceDeps } from './deps';
import { FleetLoadReporter } from './fleet-load';
import { connectionsInUse, warmUp } from './fleet-warm-up';
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
  const load = new FleetLoadReporter(platform.log, platform.config.FLEET_LOAD_LOG_INTERVAL_MS);
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
      load.stop();
      await beforeExit();
      const clean = await stopAll(runners, platform.log);
      await platform.db.destroy();
      platform.log.info({ clean }, 'bye');
      // a supervisor that restarts only failed processes must see a stop that left work behind
      process.exit(clean ? 0 : 1);
    })();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  platform.log.info({ services: services.map((s) => s.name) }, 'starting');
  const warm = await warmUp(platform, connectionsInUse(services.length, platform.config.DATABASE_POOL_MAX));
  if (warm.failed.length > 0) platform.log.warn({ failed: warm.failed.length, first: warm.failed[0] }, 'warm-up incomplete; the first messages will wait for what is missing');
  platform.log.info({ connections: warm.connections, schemas: warm.schemas }, 'warmed up');
  for (const r of runners) {
    if (stopping) return; // SIGTERM during start-up: shutdown stops what started, and exits
    await r.start().catch((err) => (stopping ? undefined : notProvisioned(err)));
  }
  if (stopping) return;
  load.start();
  platform.log.info({ services: services.map((s) => s.name) }, 'fleet running');
}

/**
 * Stops every runner, all at once; one that fails to stop does not keep the others from stopping.
 * False if any failed: its uncommitted messages are redelivered to the next instance.
 */
export async function stopAll(runners: readonly Pick<ConsumerRunner, 'stop' | 'name'>[], log: Logger): Promise<boolean> {
  const results = await Promise.allSettled(runners.map((r) => r.stop()));
  results.forEach((r, i) => {
    if (r.status === 'rejected') log.error({ service: runners[i]!.name, err: r.reason }, 'did not stop cleanly; its uncommitted messages are redelivered');
  });
  return results.every((r) => r.status === 'fulfilled');
}

/** A status store without the project's tables fails at its first statement: say what to run, not a stack trace. */
function notProvisioned(err: unknown): never {
  const e = err as { code?: unknown; message?: unknown };
  if (e?.code !== '42P01') throw err; // undefined_table
  const table = /relation "([^"]+)" does not exist/.exec(String(e.message))?.[1] ?? 'a table';
  throw new ConfigError([`the database at DATABASE_URL has no ${table} table: run \`npm run provision\` (migrations, topics, schemas) before the fleet`]);
}
