/** `npm run provision`: migrations, topics (with DLQs) and schema registration; idempotent. */
import { createPlatform, runMain } from '../bootstrap';
import { migrateLatest } from '../db/knex';
import { ensureTopics, registerSchemas } from '../provisioning';

runMain(async () => {
  const p = createPlatform('provision');
  const applied = await migrateLatest(p.db);
  p.log.info({ applied }, 'migrations up to date');
  const admin = p.kafka.admin();
  await admin.connect();
  const created = await ensureTopics(admin, p.config.KAFKA_TOPIC_PREFIX);
  await admin.disconnect();
  p.log.info({ created }, 'topics ready');
  const schemas = await registerSchemas(p.codec, p.config.KAFKA_TOPIC_PREFIX);
  p.log.info({ schemas }, 'schemas registered');
  await p.db.destroy();
});
