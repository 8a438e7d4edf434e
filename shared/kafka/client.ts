import { readFileSync } from 'fs';
import type { ConnectionOptions } from 'tls';
import { Kafka, KafkaConfig as KafkaJsConfig, logLevel, LogEntry, Producer, SASLOptions } from 'kafkajs';
import { KeyHashPartitioner } from './partitioner';
import type { Config } from '../config';
import type { Logger } from '../logger';

type KafkaConfig = Pick<Config, 'KAFKA_BROKERS' | 'KAFKA_CLIENT_ID' | 'KAFKA_SASL_MECHANISM' | 'KAFKA_SASL_USERNAME' | 'KAFKA_SASL_PASSWORD' | 'KAFKA_SSL' | 'KAFKA_RETRY_MAX_MS'> &
  Partial<Pick<Config, 'KAFKA_SSL_CA_FILE'>>;

/** TLS options: off, on with the system CAs, or on trusting only the CA(s) in KAFKA_SSL_CA_FILE. */
function tlsOptions(config: KafkaConfig): boolean | ConnectionOptions {
  if (!config.KAFKA_SSL) return false;
  return config.KAFKA_SSL_CA_FILE ? { ca: [readFileSync(config.KAFKA_SSL_CA_FILE, 'utf8')] } : true;
}

const PINO_LEVEL: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error', [logLevel.WARN]: 'warn', [logLevel.INFO]: 'info', [logLevel.DEBUG]: 'debug', [logLevel.NOTHING]: 'debug',
};

/** Client tuning beyond the settings, for tools and tests that must give up quickly (e.g. `retry: { retries: 0 }`). */
export type KafkaTuning = Pick<KafkaJsConfig, 'retry' | 'connectionTimeout' | 'authenticationTimeout' | 'requestTimeout'>;

/** Per client made by createKafka: what to call when it logs an error. */
const errorListeners = new WeakMap<Kafka, Set<() => void>>();

/**
 * Calls `listener` each time `kafka` logs an error (a connection refused, a failed request): the
 * client is retrying, not idle. Returns the unsubscribe. A client not made by createKafka gives
 * no signal.
 */
export function onClientError(kafka: Kafka, listener: () => void): () => void {
  const listeners = errorListeners.get(kafka);
  if (!listeners) return () => undefined;
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

export function createKafka(config: KafkaConfig, clientName: string, log: Logger, tuning: KafkaTuning = {}): Kafka {
  const sasl: SASLOptions | undefined =
    config.KAFKA_SASL_MECHANISM === 'none'
      ? undefined
      : ({ mechanism: config.KAFKA_SASL_MECHANISM, username: config.KAFKA_SASL_USERNAME, password: config.KAFKA_SASL_PASSWORD } as SASLOptions);
  const kafkaLog = log.child({ component: 'kafkajs' });
  const listeners = new Set<() => void>();
  const kafka = new Kafka({
    clientId: `${config.KAFKA_CLIENT_ID}-${clientName}`,
    brokers: config.KAFKA_BROKERS,
    ssl: tlsOptions(config),
    sasl,
    ...tuning,
    retry: { maxRetryTime: config.KAFKA_RETRY_MAX_MS, ...tuning.retry },
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...rest } = entry.log;
      kafkaLog[PINO_LEVEL[entry.level] ?? 'info']({ namespace: entry.namespace, ...rest }, message);
      if (entry.level === logLevel.ERROR) for (const listener of listeners) listener();
    },
  });
  errorListeners.set(kafka, listeners);
  return kafka;
}

/** The idempotent producer: broker-side de-duplication of retried sends, acks from all replicas. */
export function createIdempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: KeyHashPartitioner,
  });
}
