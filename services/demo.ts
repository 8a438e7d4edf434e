/**
 * The local demo (`npm start`): the whole fleet in this process, a demo inventory system that
 * stocks the sample SKUs, a demo channel that places a sample order every DEMO_INTERVAL_MS (every
 * fifth one invalid, every seventh one declined by the simulated gateway), and a demo warehouse
 * that ships and delivers what it is asked to. Prints the latest orders' states as they move.
 */
import { randomUUID } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { createServerPlatform, runMain } from '../shared/bootstrap';
import type { RecordName } from '../shared/contracts/codec';
import { newEnvelope } from '../shared/contracts/envelope';
import type { RecordTypes, SubmitOrder } from '../shared/contracts/types.generated';
import { createRenewingProducer } from '../shared/kafka/renewing-producer';
import { topicName, topicOfRecord } from '../shared/topics';
import { buildApi } from './api/server';
import { runFleet } from './fleet-runner';

runMain(async () => {
  const platform = createServerPlatform('demo');
  const { codec, config, kafka, db, log } = platform;
  const intervalMs = Number(process.env.DEMO_INTERVAL_MS ?? 2000);
  const sample = JSON.parse(readFileSync(join(__dirname, '..', 'samples', 'order.json'), 'utf8')) as SubmitOrder;
  // the demo's API and warehouse send through it for the demo's whole life, as the API's does
  const producer = createRenewingProducer(kafka, log);
  await producer.connect();
  const publish = async <N extends RecordName>(record: N, value: RecordTypes[N], key: string) => {
    const topic = topicName(topicOfRecord(record), config.KAFKA_TOPIC_PREFIX);
    await producer.send({ topic, messages: [{ key, value: await codec.encode(topic, record, value) }] });
  };
  const envelope = (orderId: string | null) => newEnvelope('demo', orderId);

  const warehouse = kafka.consumer({ groupId: `${config.KAFKA_GROUP_PREFIX}-demo-warehouse`, maxWaitTimeInMs: config.RUNNER_FETCH_MAX_WAIT_MS });
  const admin = kafka.admin();
  await admin.connect();
  const api = await buildApi(platform, producer, admin);
  let timer: NodeJS.Timeout | undefined;
  await runFleet(platform, config.SERVICES, async () => {
    clearInterval(timer);
    await api.close();
    await warehouse.disconnect();
    await admin.disconnect();
    await producer.disconnect();
  });
  await api.listen({ host: config.API_HOST, port: config.API_PORT });
  console.log(`demo: tracking page http://${config.API_HOST}:${config.API_PORT}/track, operator page http://${config.API_HOST}:${config.API_PORT}/ops`);

  for (const l of sample.lines) await publish('io.oms.warehouse.StockLevelSet', { ...envelope(null), sku: l.sku, location: 'main', onHand: 100000 }, l.sku);

  await warehouse.connect();
  await warehouse.subscribe({ topics: [topicName('fulfillmentRequests', config.KAFKA_TOPIC_PREFIX)] });
  await warehouse.run({
    eachMessage: async ({ message }) => {
      const { recordName, value } = await codec.decode(message.value);
      if (recordName !== 'io.oms.fulfillment.FulfillmentRequested') return;
      const orderId = value.orderId as string;
      const shipmentId = `SHP-${orderId.slice(0, 8)}`;
      setTimeout(() => void publish('io.oms.warehouse.ShipmentDispatched', { ...envelope(orderId), orderId, shipmentId, carrier: 'DemoPost', trackingNumber: `DP${Date.now()}` }, orderId), 1000);
      setTimeout(() => void publish('io.oms.warehouse.ShipmentDelivered', { ...envelope(orderId), orderId, shipmentId }, orderId), 3000);
    },
  });

  let n = 0;
  const run = Date.now().toString(36); // fresh shoppers each run, so fraud velocity stays quiet
  const placed: string[] = [];
  timer = setInterval(async () => {
    n++;
    const base = envelope(randomUUID());
    const cmd: SubmitOrder = {
      ...sample,
      ...base,
      orderId: base.orderId!,
      channelOrderRef: `DEMO-${Date.now()}-${n}`,
      customer: { ...sample.customer, customerId: `C-${run}-${n}`, email: `shopper.${run}.${n}@example.com` },
      payment: { ...sample.payment, token: n % 7 === 0 ? 'tok_decline' : `tok_demo_${run}_${n}` },
      ...(n % 5 === 0 ? { currency: 'XYZ' } : {}),
    };
    try {
      await publish('io.oms.commands.SubmitOrder', cmd, cmd.orderId);
      placed.push(cmd.orderId);
      const rows = await db('orders').whereIn('order_id', placed.slice(-6)).select('order_id', 'state', 'created_at').orderBy('created_at');
      console.log(`demo: ${rows.map((r) => `${String(r.order_id).slice(0, 8)} ${r.state}`).join(' | ')}`);
      if (n === 1 || n % 10 === 0) {
        const t = await db('orders').where({ order_id: placed.at(-2) ?? cmd.orderId }).first('tracking_token');
        if (t) console.log(`demo: track one at http://${config.API_HOST}:${config.API_PORT}/track?token=${t.tracking_token}`);
      }
    } catch (err) {
      log.warn({ err }, 'demo channel could not place an order');
    }
  }, intervalMs);
});
