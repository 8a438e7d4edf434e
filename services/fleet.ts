/**
 * The main job: runs the services named by SERVICES (all by default) in this process, each with
 * its own consumer group, until SIGTERM/SIGINT; then each finishes its message, commits, leaves.
 */
import { createPlatform, runMain } from '../shared/bootstrap';
import { ConsumerRunner } from '../shared/runner/consumer-runner';
import { selectServices } from './registry';

runMain(async () => {
  const platform = createPlatform('fleet');
  const services = selectServices(platform.config.SERVICES);
  const runners = services.map((s) => new ConsumerRunner(s, platform));
  let stopping: Promise<void> | undefined;
  const shutdown = (signal: string) => {
    stopping ??= (async () => {
      platform.log.info({ signal }, 'shutting down');
      await Promise.allSettled(runners.map((r) => r.stop()));
      await platform.db.destroy();
      platform.log.info('bye');
      process.exit(0);
    })();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  for (const r of runners) await r.start();
  platform.log.info({ services: services.map((s) => s.name) }, 'fleet running');
});
