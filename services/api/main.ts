/** `npm run api`: the HTTP API and pages on API_HOST:API_PORT until SIGTERM/SIGINT. */
import { createServerPlatform, runMain } from '../../shared/bootstrap';
import { createRenewingProducer } from '../../shared/kafka/renewing-producer';
import { buildApi } from './server';

runMain(async () => {
  const platform = createServerPlatform('api');
  const producer = createRenewingProducer(platform.kafka, platform.log);
  const admin = platform.kafka.admin();
  await Promise.all([producer.connect(), admin.connect()]);
  const app = await buildApi(platform, producer, admin);
  await app.listen({ host: platform.config.API_HOST, port: platform.config.API_PORT });
  const stop = async () => {
    await app.close();
    await Promise.all([producer.disconnect(), admin.disconnect()]);
    await platform.db.destroy();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
});
