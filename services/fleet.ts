/** The main job in production: `SERVICES=all` (default) or a comma-separated list, until SIGTERM. */
import { createServerPlatform, runMain } from '../shared/bootstrap';
import { runFleet } from './fleet-runner';

runMain(async () => {
  const platform = createServerPlatform('fleet');
  await runFleet(platform, platform.config.SERVICES);
});
