import { createHash } from 'crypto';
import type { MessageSender } from './kafka/renewing-producer';
import type { AvroCodec, RecordName } from './contracts/codec';
import { newEnvelope } from './contracts/envelope';
import type { RecordTypes } from './contracts/types.generated';
import { topicName } from './topics';
import { extend } from './extend';
import { canonicalUuid } from './uuid';

/** A UUID derived from text: the same channel order reference always gives the same ids. */
export function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The ids of a submission, derived from its idempotency key (channel + channel order reference):
 * a repeated submission names the same order and carries the same command id.
 */
export function submissionIds(channel: string, channelOrderRef: string): { orderId: string; commandId: string } {
  const key = `${channel}\u0000${channelOrderRef}`;
  return { orderId: uuidFrom(`order\u0000${key}`), commandId: uuidFrom(`submit\u0000${key}`) };
}

type Command = 'io.oms.commands.SubmitOrder' | 'io.oms.commands.AddLineItem' | 'io.oms.commands.CancelOrder' | 'io.oms.commands.ReleaseOrderHold';
type Payload<N extends RecordName> = Omit<RecordTypes[N], 'eventId' | 'occurredAt' | 'correlationId' | 'causationId' | 'producer' | 'orderVersion'>;

/** Publishes commands to oms.order-commands (keyed by orderId), acknowledged by all replicas. */
export class CommandPublisher {
  constructor(private readonly producer: MessageSender, private readonly codec: AvroCodec, private readonly topicPrefix: string, private readonly source: string) {}

  async publish<N extends Command>(record: N, payload: Payload<N>, eventId?: string): Promise<string> {
    const [id] = await this.send(record, [{ payload, eventId }]);
    return id!;
  }

  /** Several commands of one kind in one acknowledged send; their event ids. */
  publishAll<N extends Command>(record: N, payloads: Payload<N>[]): Promise<string[]> {
    return this.send(record, payloads.map((payload) => ({ payload })));
  }

  private async send<N extends Command>(record: N, items: { payload: Payload<N>; eventId?: string }[]): Promise<string[]> {
    if (items.length === 0) return [];
    const topic = topicName('orderCommands', this.topicPrefix);
    // keyed by the order's id in lower case, as its SubmitOrder from here and every event of it: one partition per order whatever case a caller typed
    const values = items.map(({ payload, eventId }) => {
      const orderId = canonicalUuid(payload.orderId);
      return extend(extend(payload, { orderId }), newEnvelope(this.source, orderId, eventId)) as unknown as RecordTypes[N];
    });
    const messages = await Promise.all(values.map(async (value) => ({ key: value.orderId as string, value: await this.codec.encode(topic, record, value) })));
    await this.producer.send({ topic, acks: -1, messages });
    return values.map((v) => v.eventId);
  }
}
