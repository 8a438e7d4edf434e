import type { Consumer, Kafka } from 'kafkajs';
import { sessionSettings } from '../shared/runner/consumer-runner';
import { StallWatchdog, watchConsumer } from '../shared/runner/stall-watchdog';
import type { Traffic } from './traffic';
import { retrying } from './traffic';

/**
 * The warehouse of the bench and the fault suite: ships and delivers whatever it is asked to
 * fulfil. When kafkajs gives its consumer up (it does after a long enough broker outage), or the
 * consumer shows no sign of life for `stallTimeoutMs` (the fleet's StallWatchdog), it starts a new
 * one in the same group, as a real warehouse system's supervisor would; what it went through is
 * kept for the fault suite's diagnosis.
 */
export class SimulatedWarehouse {
  private consumer: Consumer | undefined;
  private stopped = false;
  /** Orders it was asked to fulfil (counted per request; redeliveries count again). */
  requested = 0;
  /** kafkajs crashes it restarted from itself, and those after which this class started a new consumer. */
  readonly crashes = { restartedByKafkajs: 0, restartedHere: 0, stalled: 0 };
  lastCrash: string | undefined;

  private watchdog: StallWatchdog | undefined;

  private readonly stallTimeoutMs: number;
  private readonly sessionTimeoutMs: number;

  /**
   * `sessionTimeoutMs`: a consumer that kafkajs restarts (after a broker outage) joins with a new
   * member id, and its group waits for the old member's session to expire before it hands out the
   * partitions; the fault suite gives the warehouse the fleet's timeout, so that wait is not the
   * warehouse's alone.
   */
  constructor(private readonly traffic: Traffic, private readonly kafka: Kafka, private readonly groupId: string, options: { stallTimeoutMs?: number; sessionTimeoutMs?: number } = {}) {
    this.stallTimeoutMs = options.stallTimeoutMs ?? 45_000;
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? 30_000;
  }

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({ groupId: this.groupId, maxWaitTimeInMs: 50, ...sessionSettings(this.sessionTimeoutMs) });
    this.consumer = consumer;
    const watchdog = new StallWatchdog(this.stallTimeoutMs, () => {
      this.crashes.stalled++;
      void this.restart(consumer);
    });
    this.watchdog?.stop();
    this.watchdog = watchdog;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.lastCrash = `${payload.error.name}: ${payload.error.message}`;
      if (payload.restart) return void (this.crashes.restartedByKafkajs++, watchdog.alive());
      this.crashes.restartedHere++;
      watchdog.stop();
      void this.restart(consumer);
    });
    watchConsumer(consumer, watchdog);
    watchdog.start();
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [this.traffic.topic('fulfillmentRequests')], fromBeginning: true });
      await consumer.run({ eachBatch: async ({ batch }) => this.ship(batch.messages.map((m) => m.value)) });
    } catch (err) {
      await consumer.disconnect().catch(() => undefined);
      throw err;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watchdog?.stop();
    await this.consumer?.disconnect();
  }

  /** Summary for a diagnosis. */
  describe(): string {
    return `warehouse: ${this.requested} requests; crashes restarted by kafkajs ${this.crashes.restartedByKafkajs}, here ${this.crashes.restartedHere}; stalls ${this.crashes.stalled}${this.lastCrash ? ` (last: ${this.lastCrash})` : ''}`;
  }

  private async restart(old: Consumer): Promise<void> {
    // a hung consumer may never finish disconnecting: its session expires and the group moves on
    await Promise.race([old.disconnect().catch(() => undefined), new Promise((r) => setTimeout(r, 5_000))]);
    await retrying(async () => {
      if (!this.stopped) await this.start();
    }).catch(() => undefined);
  }

  private async ship(values: (Buffer | null)[]): Promise<void> {
    const ids: string[] = [];
    for (const value of values) {
      const d = await this.traffic.decode(value);
      if (d.recordName === 'io.oms.fulfillment.FulfillmentRequested') ids.push(d.value.orderId as string);
    }
    if (!ids.length) return;
    this.requested += ids.length;
    const shipment = (orderId: string) => ({ ...this.traffic.envelope(orderId), shipmentId: `S-${orderId}` });
    // retrying through a broker outage is a sign of life, not a stall
    await retrying(() => (this.watchdog?.alive(), this.traffic.send('io.oms.warehouse.ShipmentDispatched', ids.map((orderId) => ({ key: orderId, value: { ...shipment(orderId), carrier: 'BenchPost', trackingNumber: `BP${orderId.slice(0, 12)}` } })), 'warehouseShipments')));
    await retrying(() => (this.watchdog?.alive(), this.traffic.send('io.oms.warehouse.ShipmentDelivered', ids.map((orderId) => ({ key: orderId, value: shipment(orderId) })), 'warehouseShipments')));
  }
}
