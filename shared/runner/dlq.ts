import type { KafkaMessage } from 'kafkajs';
import type { MessageSender } from '../kafka/renewing-producer';
import type { OmsError } from '../errors';
import { sendSlices } from '../kafka/send-slices';
import { topicMessagesOf } from '../kafka/topic-messages';
import { unsendableReason } from './unsendable-rows';
import { dlqName } from '../topics';

export const DLQ_HEADERS = {
  reason: 'dlq-reason',
  error: 'dlq-error',
  sourceTopic: 'dlq-source-topic',
  sourcePartition: 'dlq-source-partition',
  sourceOffset: 'dlq-source-offset',
  consumer: 'dlq-consumer',
  at: 'dlq-at',
  valueOmitted: 'dlq-value-omitted',
} as const;

/** A message this consumer gives up on, with where it came from and why. */
export interface DeadLetter {
  topic: string;
  partition: number;
  message: KafkaMessage;
  error: OmsError;
}

/** What a letter weighs in a record batch: its key, value, own headers and the dlq-* headers, with room for framing. */
const letterBytes = ({ message, error }: DeadLetter) =>
  (message.key?.length ?? 0) + (message.value?.length ?? 0) + Object.entries(message.headers ?? {}).reduce((n, [k, v]) => n + k.length + String(v ?? '').length, 0) + Math.min(error.message.length, 2000) + 400;

/**
 * The original bytes and key of every letter, with headers saying why, from where and when, in as
 * few produce requests as the broker takes: a flood of bad messages costs one acknowledged send
 * per 900 KiB (serialized on the producer, one send per message held the next fetch for minutes),
 * and never one record batch over the broker's 1 MiB, which it would refuse at every retry while
 * the partition waited. A letter too large for the broker even alone goes without its value; its
 * headers name where the original still is.
 */
export async function sendToDlq(producer: MessageSender, consumer: string, letters: readonly DeadLetter[]): Promise<void> {
  const at = new Date().toISOString();
  for (const slice of sendSlices(letters, letterBytes)) {
    try {
      await sendLetters(producer, consumer, at, slice, false);
    } catch (err) {
      if (slice.length > 1 || !unsendableReason(err)) throw err;
      await sendLetters(producer, consumer, at, slice, true);
    }
  }
}

function sendLetters(producer: MessageSender, consumer: string, at: string, letters: readonly DeadLetter[], withoutValue: boolean) {
  return producer.sendBatch({
    acks: -1,
    topicMessages: topicMessagesOf(letters, (l) => dlqName(l.topic), ({ topic, partition, message, error }) => ({
      key: message.key,
      value: withoutValue ? null : message.value,
      headers: {
        ...message.headers,
        [DLQ_HEADERS.reason]: error.code,
        [DLQ_HEADERS.error]: error.message.slice(0, 2000),
        [DLQ_HEADERS.sourceTopic]: topic,
        [DLQ_HEADERS.sourcePartition]: String(partition),
        [DLQ_HEADERS.sourceOffset]: message.offset,
        [DLQ_HEADERS.consumer]: consumer,
        [DLQ_HEADERS.at]: at,
        ...(withoutValue ? { [DLQ_HEADERS.valueOmitted]: 'too large for the dead-letter topic: read it at its source topic and offset' } : {}),
      },
    })),
  });
}
