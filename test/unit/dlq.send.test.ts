import type { KafkaMessage, TopicMessages } from 'kafkajs';
import { OmsError } from '../../shared/errors';
import type { MessageSender } from '../../shared/kafka/renewing-producer';
import { DLQ_HEADERS, sendToDlq, type DeadLetter } from '../../shared/runner/dlq';

const letter = (offset: number, bytes: number): DeadLetter => ({
  topic: 'oms.order-commands',
  partition: 0,
  message: { key: Buffer.from('k'), value: Buffer.alloc(bytes, 1), offset: String(offset), headers: {} } as unknown as KafkaMessage,
  error: new OmsError('undecodable', 'not the wire format', false),
});

/** A producer that records each send's messages, refusing any batch over `limit` bytes of values as the broker would. */
function fakeProducer(limit: number) {
  const sends: TopicMessages[][] = [];
  const producer = {
    sendBatch: async ({ topicMessages }: { topicMessages: TopicMessages[] }) => {
      const bytes = topicMessages.flatMap((t) => t.messages).reduce((n, m) => n + ((m.value as Buffer | null)?.length ?? 0), 0);
      if (bytes > limit) throw Object.assign(new Error('The request included a message larger than the max message size the server will accept'), { type: 'MESSAGE_TOO_LARGE' });
      sends.push(topicMessages);
    },
  } as unknown as MessageSender;
  return { producer, sends };
}

describe('sendToDlq', () => {
  it('when a chunk dead-letters more bytes than one batch may hold, then they go in several sends, in order, none over 900 KiB', async () => {
    const { producer, sends } = fakeProducer(1024 * 1024);
    await sendToDlq(producer, 'intake', Array.from({ length: 3000 }, (_, i) => letter(i, 600)));
    expect(sends.length).toBeGreaterThan(1);
    const offsets = sends.flatMap((s) => s[0]!.messages.map((m) => (m.headers as Record<string, string>)[DLQ_HEADERS.sourceOffset]));
    expect(offsets).toEqual(Array.from({ length: 3000 }, (_, i) => String(i)));
  });

  it('when one letter alone is over the broker limit, then it goes without its value, its headers saying where the original is', async () => {
    const { producer, sends } = fakeProducer(1024 * 1024);
    await sendToDlq(producer, 'intake', [letter(7, 1100 * 1024)]);
    const [sent] = sends.flat()[0]!.messages;
    expect(sent!.value).toBeNull();
    expect(sent!.headers).toMatchObject({ [DLQ_HEADERS.sourceOffset]: '7', [DLQ_HEADERS.reason]: 'undecodable', [DLQ_HEADERS.valueOmitted]: expect.stringContaining('source topic and offset') });
  });
});
