import { createHash, randomUUID } from 'crypto';
import type { Producer } from 'kafkajs';
import type { AvroCodec, RecordName } from './contracts/codec';
import type { RecordTypes } from './contracts/types.generated';
import { topicName } from './topics';

/** A UUID derived from text: the same channel order reference always gives the same ids. */
export function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

type Command = 'io.oms.commands.SubmitOrder' | 'io.oms.commands.AddLineItem' | 'io.oms.commands.CancelOrder' | 'io.oms.commands.ReleaseOrderHold';
type Payload<N extends RecordName> = Omit<RecordTypes[N], 'eventId' | 'occurredAt' | 'correlationId' | 'causationId' | 'producer' | 'orderVersion'>;

/** Publishes commands to oms.order-commands (keyed by orderId), acknowledged by all replicas. */
export class CommandPublisher {
  constructor(private readonly producer: Producer, private readonly codec: AvroCodec, private readonly topicPrefix: string) {}

  async publish<N extends Command>(record: N, payload: Payload<N>, eventId: string = randomUUID()): Promise<string> {
    const topic = topicName('orderCommands', this.topicPrefix);
    const value = { ...payload, eventId, occurredAt: Date.now(), correlationId: eventId, causationId: null, producer: 'api', orderVersion: 0 } as unknown as RecordTypes[N];
    await this.producer.send({ topic, acks: -1, messages: [{ key: payload.orderId, value: await this.codec.encode(topic, record, value) }] });
    return eventId;
  }
}
