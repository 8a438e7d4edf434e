import type { KafkaMessage } from 'kafkajs';
import type { MessageSender } from '../kafka/renewing-producer';
import type { OmsError } from '../errors';
import { topicMessagesOf } from '../kafka/topic-messages';
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

/** A message this consumer gives up on, with where it came from and why. */
export interface DeadLetter {
  topic: string;
  partition: number;
  message: KafkaMessage;
  error: OmsError;
}

/**
 * The original bytes and key of every letter, with headers saying why, from where and when, in one
 * produce request: a flood of bad messages costs one acknowledged send per chunk, not one per
 * message (serialized on the producer, they held the next fetch for minutes).
 */
export async function sendToDlq(producer: MessageSender, consumer: string, letters: readonly DeadLetter[]): Promise<void> {
  if (letters.length === 0) return;
  const at = new Date().toISOString();
  await producer.sendBatch({
    acks: -1,
    topicMessages: topicMessagesOf(letters, (l) => dlqName(l.topic), ({ topic, partition, message, error }) => ({
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
        [DLQ_HEADERS.at]: at,
      },
    })),
  });
}
