import type { Producer } from 'kafkajs';
import { randomUUID } from 'crypto';
import type { AvroCodec, RecordName } from '../shared/contracts/codec';
import { newEnvelope } from '../shared/contracts/envelope';
import type { SubmitOrder } from '../shared/contracts/types.generated';
import { TopicKey, topicName } from '../shared/topics';

/** Synthetic traffic shared by the bench and the fault suite: orders and stock (its warehouse is SimulatedWarehouse). */
export class Traffic {
  constructor(private readonly codec: AvroCodec, private readonly producer: Producer, private readonly prefix: string, readonly runId: string) {}

  topic(key: TopicKey): string {
    return topicName(key, this.prefix);
  }

  async send(record: RecordName, values: { key: string; value: Record<string, unknown> }[], topicKey: TopicKey): Promise<void> {
    const topic = this.topic(topicKey);
    const messages = await Promise.all(values.map(async (v) => ({ key: v.key, value: await this.codec.encode(topic, record, v.value as never) })));
    await this.producer.send({ topic, messages });
  }

  envelope(orderId: string | null) {
    return newEnvelope('bench', orderId);
  }

  async setStock(skus: string[], onHand: number): Promise<void> {
    await this.send('io.oms.warehouse.StockLevelSet', skus.map((sku) => ({ key: sku, value: { ...this.envelope(null), sku, location: 'main', onHand } })), 'stockLevels');
  }

  /** Order number `k` of a series (the run's measured orders by default): one line of 1 or 2 units of a SKU picked round-robin. */
  order(k: number, skus: string[], series = this.runId): SubmitOrder {
    const e = this.envelope(randomUUID());
    return {
      ...e, orderId: e.orderId!, channel: 'bench', channelOrderRef: `${series}-${k}`,
      customer: { customerId: `C-${series}-${k}`, email: `b${k}.${series}@example.com`, phone: null, name: 'Bench Shopper', contactPreference: 'EMAIL', accountCreatedAt: Date.parse('2024-01-01') },
      shippingAddress: { name: 'Bench Shopper', line1: '1 Main St', line2: null, city: 'Springfield', region: 'CA', postalCode: '90001', country: 'US' },
      billingAddress: null,
      lines: [{ sku: skus[k % skus.length]!, name: 'Item', quantity: 1 + (k % 2), unitPriceMinor: 1999, weightGrams: 300 }],
      currency: 'USD', shippingMethod: 'standard', promotionCodes: [], payment: { method: 'card', token: `tok_${series}_${k}`, billingCountry: 'US' }, deliveryPreferences: null,
    };
  }

  async submit(orders: SubmitOrder[]): Promise<void> {
    await this.send('io.oms.commands.SubmitOrder', orders.map((o) => ({ key: o.orderId, value: o as never })), 'orderCommands');
  }

  decode(value: Buffer | null) {
    return this.codec.decode(value);
  }
}

/** Retries a send for up to `ms` (the broker may be restarting); a real warehouse system would too. */
export async function retrying<T>(fn: () => Promise<T>, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
