import type { KafkaMessage, Producer } from 'kafkajs';
import type { OmsError } from '../errors';
import { dlqName } from '../topics';

export const DLQ_HEADERS = {
  reason: 'dlq-reason',
  error: 'dlq-error',
  sourceTopic: 'dlq-source-topic',
  sourcePartition: 'dlq-source-partition',
  sourceOffset: 'dlq-source-offset',
  consumer: 'dlq-consumer',
  at: 'dlq-at',
} as const;

/** The original bytes and key, with headers saying why, from where and when. */
export async function sendToDlq(
  producer: Producer,
  source: { topic: string; partition: number; message: KafkaMessage; consumer: string },
  error: OmsError,
): Promise<void> {
  const { topic, partition, message, consumer } = source;
  await producer.send({
    topic: dlqName(topic),
    acks: -1,
    messages: [
      {
        key: message.key,
        value: message.value,
        headers: {
          ...message.headers,
          [DLQ_HEADERS.reason]: error.code,
          [DLQ_HEADERS.error]: error.message.slice(0, 2000),
          [DLQ_HEADERS.sourceTopic]: topic,
          [DLQ_HEADERS.sourcePartition]: String(partition),
          [DLQ_HEADERS.sourceOffset]: message.offset,
          [DLQ_HEADERS.consumer]: consumer,
          [DLQ_HEADERS.at]: new Date().toISOString(),
        },
      },
    ],
  });
}
