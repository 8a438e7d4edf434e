/**
 * The local demo (`npm start`): the whole fleet in this process plus a demo channel that places a
 * sample order every DEMO_INTERVAL_MS (some of them invalid), printing each order's state.
 */
import { randomUUID } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { createPlatform, runMain } from '../shared/bootstrap';
import type { SubmitOrder } from '../shared/contracts/types.generated';
import { createIdempotentProducer } from '../shared/kafka/client';
import { topicName } from '../shared/topics';
import { runFleet } from './fleet-runner';

runMain(async () => {
  const platform = createPlatform('demo');
  const intervalMs = Number(process.env.DEMO_INTERVAL_MS ?? 2000);
  const sample = JSON.parse(readFileSync(join(__dirname, '..', 'samples', 'order.json'), 'utf8')) as SubmitOrder;
  const producer = createIdempotentProducer(platform.kafka);
  await producer.connect();
  const topic = topicName('orderCommands', platform.config.KAFKA_TOPIC_PREFIX);
  let timer: NodeJS.Timeout | undefined;
  await runFleet(platform, platform.config.SERVICES, async () => {
    clearInterval(timer);
    await producer.disconnect();
  });

  let n = 0;
  const placed: string[] = [];
  timer = setInterval(async () => {
    n++;
    const eventId = randomUUID();
    const cmd: SubmitOrder = {
      ...sample,
      eventId, orderId: randomUUID(), occurredAt: Date.now(), correlationId: eventId, causationId: null, producer: 'demo-channel', orderVersion: 0,
      channelOrderRef: `DEMO-${Date.now()}-${n}`,
      ...(n % 5 === 0 ? { currency: 'XYZ' } : {}), // every fifth order is invalid on purpose
    };
    try {
      await producer.send({ topic, messages: [{ key: cmd.orderId, value: await platform.codec.encode(topic, 'io.oms.commands.SubmitOrder', cmd) }] });
      placed.push(cmd.orderId);
      const rows = await platform.db('orders').whereIn('order_id', placed.slice(-5)).select('order_id', 'state', 'total_minor');
      console.log(`demo: placed ${cmd.orderId}; latest: ${rows.map((r) => `${String(r.order_id).slice(0, 8)}=${r.state}`).join(' ')}`);
    } catch (err) {
      platform.log.warn({ err }, 'demo channel could not place an order');
    }
  }, intervalMs);
});
