import { AvroCodec, createSchemaRegistry } from './contracts/codec';
import { Config, ConfigError, describeConfig, loadConfig } from './config';
import { createDb, Db } from './db/knex';
import { createKafka } from './kafka/client';
import { capHeapGrowth } from './heap-growth';
import { createLogger, Logger } from './logger';
import type { Kafka } from 'kafkajs';

export interface Platform {
  config: Config;
  log: Logger;
  db: Db;
  kafka: Kafka;
  codec: AvroCodec;
}

/** Everything a process needs, built once from validated configuration. */
export function createPlatform(processName: string, env: NodeJS.ProcessEnv = process.env): Platform {
  const config = loadConfig(env);
  const log = createLogger(processName, config.LOG_LEVEL);
  log.info({ config: describeConfig(config) }, 'configuration');
  return {
    config,
    log,
    db: createDb(config, `oms-${processName}`),
    kafka: createKafka(config, processName, log),
    codec: new AvroCodec(createSchemaRegistry(config), config.SCHEMA_REGISTRY_TIMEOUT_MS, (schema) =>
      log.warn(schema, 'records of this schema id cannot be read into this release\'s schema: read as written (a newer writer? upgrade this service)')),
  };
}

/** The platform of a long-running process (the fleet, the API, the demo), its heap's growth capped (HEAP_GROWING_PERCENT). */
export function createServerPlatform(processName: string): Platform {
  const platform = createPlatform(processName);
  capHeapGrowth(platform.config.HEAP_GROWING_PERCENT);
  return platform;
}

/** Runs a command-line main: configuration errors print plainly, others with their stack. */
export function runMain(main: () => Promise<void>): void {
  main().catch((err) => {
    if (err instanceof ConfigError) console.error(err.message);
    else console.error(err);
    process.exit(1);
  });
}
