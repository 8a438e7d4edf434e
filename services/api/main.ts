/** `npm run api`: the HTTP API and pages on API_HOST:API_PORT until SIGTERM/SIGINT. */
import { createServerPlatform, runMain } from '../../shared/bootstrap';
import { createIdempotentProducer } from '../../shared/kafka/client';
import { PRODUCER_RENEWED, RenewingProducer } from '../../shared/kafka/renewing-producer';
import { buildApi } from './server';

runMain(async () => {
  const platform = createServerPlatform('api');
  // a long-lived sender: renewed after a producer-state error, as the runner's is
  const producer = new RenewingProducer(() => createIdempotentProducer(platform.kafka), (err) => platform.log.warn({ err }, PRODUCER_RENEWED));
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
