/**
 * `npm run submit-order -- <file.json>`: publishes a SubmitOrder (JSON in the shape of the Avro
 * record; envelope fields may be left out and are filled in) to oms.order-commands.
 */
import { randomUUID } from 'crypto';
import { readFileSync } from 'fs';
import { createPlatform, runMain } from '../bootstrap';
import type { SubmitOrder } from '../contracts/types.generated';
import { topicName } from '../topics';
import { createIdempotentProducer } from '../kafka/client';

runMain(async () => {
  const file = process.argv[2];
  if (!file) throw new Error('usage: npm run submit-order -- <order.json>');
  const p = createPlatform('submit-order', { LOG_LEVEL: 'warn', ...process.env });
  const body = JSON.parse(readFileSync(file, 'utf8')) as Partial<SubmitOrder>;
  const eventId = randomUUID();
  const cmd = {
    eventId,
    orderId: randomUUID(),
    occurredAt: Date.now(),
    correlationId: eventId,
    causationId: null,
    producer: 'cli',
    orderVersion: 0,
    billingAddress: null,
    deliveryPreferences: null,
    promotionCodes: [],
    shippingMethod: 'standard',
    ...body,
  } as SubmitOrder;
  const topic = topicName('orderCommands', p.config.KAFKA_TOPIC_PREFIX);
  const value = await p.codec.encode(topic, 'io.oms.commands.SubmitOrder', cmd);
  const producer = createIdempotentProducer(p.kafka);
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: [{ key: cmd.orderId, value }] });
  await producer.disconnect();
  await p.db.destroy();
  console.log(JSON.stringify({ orderId: cmd.orderId, eventId: cmd.eventId, topic }));
});
