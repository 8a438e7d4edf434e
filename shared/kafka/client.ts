import { Kafka, logLevel, LogEntry, Partitioners, Producer, SASLOptions } from 'kafkajs';
import type { Config } from '../config';
import type { Logger } from '../logger';

type KafkaConfig = Pick<Config, 'KAFKA_BROKERS' | 'KAFKA_CLIENT_ID' | 'KAFKA_SASL_MECHANISM' | 'KAFKA_SASL_USERNAME' | 'KAFKA_SASL_PASSWORD' | 'KAFKA_SSL'>;

const PINO_LEVEL: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error', [logLevel.WARN]: 'warn', [logLevel.INFO]: 'info', [logLevel.DEBUG]: 'debug', [logLevel.NOTHING]: 'debug',
};

export function createKafka(config: KafkaConfig, clientName: string, log: Logger): Kafka {
  const sasl: SASLOptions | undefined =
    config.KAFKA_SASL_MECHANISM === 'none'
      ? undefined
      : ({ mechanism: config.KAFKA_SASL_MECHANISM, username: config.KAFKA_SASL_USERNAME, password: config.KAFKA_SASL_PASSWORD } as SASLOptions);
  const kafkaLog = log.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: `${config.KAFKA_CLIENT_ID}-${clientName}`,
    brokers: config.KAFKA_BROKERS,
    ssl: config.KAFKA_SSL,
    sasl,
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...rest } = entry.log;
      kafkaLog[PINO_LEVEL[entry.level] ?? 'info']({ namespace: entry.namespace, ...rest }, message);
    },
  });
}

/** The idempotent producer: broker-side de-duplication of retried sends, acks from all replicas. */
export function createIdempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}
