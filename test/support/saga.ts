import { newEnvelope } from '../../shared/contracts/envelope';
import type { CancelReason, OrderLineInput, OrderPlaced, SubmitOrder } from '../../shared/contracts/types.generated';
import type { OrderState } from '../../shared/order-state';
import { aSubmitOrder } from './orders';
import { eventually, TestStack } from './stack';

const envelope = (orderId: string | null) => newEnvelope('test', orderId);

/** Channel, warehouse and operator moves, and the store reads the saga tests assert on. */
export class SagaDriver {
  constructor(readonly stack: TestStack) {}

  async setStock(sku: string, onHand: number, location = 'main'): Promise<void> {
    await this.stack.publish('io.oms.warehouse.StockLevelSet', { ...envelope(null), sku, location, onHand });
    await eventually(`stock ${sku}=${onHand}`, async () => (await this.stack.db('stock_levels').where({ sku, location, on_hand: onHand }).first()) ?? null);
  }

  order(orderId: string) {
    return this.stack.db('orders').where({ order_id: orderId }).first();
  }

  /** The OrderPlaced that intake announced for a stored order (its pricing from the store, no lines), as fraud receives it. */
  async orderPlaced(cmd: SubmitOrder, occurredAt?: number): Promise<OrderPlaced> {
    const order = await this.order(cmd.orderId);
    const placedEnvelope = newEnvelope('intake', cmd.orderId);
    return {
      ...placedEnvelope, occurredAt: occurredAt ?? placedEnvelope.occurredAt,
      orderId: cmd.orderId, channel: cmd.channel, channelOrderRef: cmd.channelOrderRef, customer: cmd.customer,
      shippingAddress: cmd.shippingAddress, billingAddress: cmd.billingAddress, lines: [], currency: cmd.currency, shippingMethod: cmd.shippingMethod,
      pricing: { subtotalMinor: order.subtotal_minor, discountMinor: order.discount_minor, taxMinor: order.tax_minor, shippingMinor: order.shipping_minor, totalMinor: order.total_minor },
      payment: cmd.payment, deliveryPreferences: cmd.deliveryPreferences, orderVersion: 1,
    };
  }

  /** Submits a valid order (intake must run) and waits until it is stored Pending. */
  async placed(overrides: Partial<SubmitOrder> = {}): Promise<SubmitOrder> {
    const cmd = aSubmitOrder(overrides);
    await this.stack.publish('io.oms.commands.SubmitOrder', cmd);
    await this.waitForState(cmd.orderId, 'Pending');
    return cmd;
  }

  async waitForState(orderId: string, state: OrderState, timeoutMs = 30000) {
    return eventually(`order ${orderId} ${state}`, async () => {
      const o = await this.order(orderId);
      return o?.state === state ? o : null;
    }, timeoutMs);
  }

  /** Waits until every system has recorded its compensation of a cancelled order. */
  async waitForCompensation(orderId: string): Promise<Record<string, string>> {
    const o = await eventually(`compensations of ${orderId}`, async () => {
      const row = await this.order(orderId);
      return row && Object.keys(row.compensation).length > 0 && Object.values(row.compensation).every((v) => v !== 'pending') ? row : null;
    });
    return o.compensation;
  }

  cancel(orderId: string, reason: CancelReason = 'customer_request') {
    return this.stack.publish('io.oms.commands.CancelOrder', { ...envelope(orderId), orderId, reason, requestedBy: 'test', detail: null });
  }

  releaseHold(orderId: string) {
    return this.stack.publish('io.oms.commands.ReleaseOrderHold', { ...envelope(orderId), orderId, operator: 'op-ann', note: 'verified by phone' });
  }

  addLine(orderId: string, line: OrderLineInput) {
    const cmd = { ...envelope(orderId), orderId, line, requestedBy: 'test' };
    return this.stack.publish('io.oms.commands.AddLineItem', cmd).then(() => cmd);
  }

  dispatch(orderId: string, shipmentId = `SHP-${orderId.slice(0, 8)}`) {
    return this.stack.publish('io.oms.warehouse.ShipmentDispatched', { ...envelope(orderId), orderId, shipmentId, carrier: 'UPS', trackingNumber: `1Z${orderId.slice(0, 8).toUpperCase()}` });
  }

  deliver(orderId: string, shipmentId = `SHP-${orderId.slice(0, 8)}`) {
    return this.stack.publish('io.oms.warehouse.ShipmentDelivered', { ...envelope(orderId), orderId, shipmentId });
  }

  payments(orderId: string) {
    return this.stack.db('payments').where({ order_id: orderId }).orderBy('created_at').select('operation', 'status', 'amount_minor', 'gateway', 'external_transaction_id', 'method');
  }

  reservations(orderId: string) {
    return this.stack.db('reservations').where({ order_id: orderId }).orderBy('created_at').select('status', 'line_id');
  }

  stock(sku: string) {
    return this.stack.db('stock_levels').where({ sku }).first('on_hand', 'reserved');
  }

  notificationKinds(orderId: string) {
    return this.stack.messages((m) => m.key === orderId && m.recordName === 'io.oms.notifications.CustomerNotification').map((m) => m.value!.kind as string).sort();
  }

  events(orderId: string, record: string) {
    return this.stack.messages((m) => m.key === orderId && m.recordName === record);
  }

  history(orderId: string) {
    return this.stack.db('order_status_history').where({ order_id: orderId }).orderBy('id').select('from_state', 'to_state', 'refused', 'reason', 'cause_type');
  }

  /**
   * Delivers every command and event of the order a second time (same bytes, same eventIds) and
   * waits until all groups consumed them; returns the record types redelivered.
   */
  async redeliverAll(orderId: string, groups: string[]): Promise<string[]> {
    await this.waitForIdle(groups);
    const copies = this.stack.messages((m) => m.key === orderId && m.raw !== null && m.recordName !== null);
    const producer = this.stack.platform.kafka.producer();
    await producer.connect();
    for (const m of copies) await producer.send({ topic: m.topic, messages: [{ key: m.key, value: m.raw }] });
    await producer.disconnect();
    await this.waitForIdle(groups);
    return [...new Set(copies.map((m) => m.recordName!.slice(m.recordName!.lastIndexOf('.') + 1)))].sort();
  }

  /** What must not double under redelivery: reservations, payments, notifications, transitions. */
  async effects(orderId: string) {
    const count = async (table: string) => Number((await this.stack.db(table).where({ order_id: orderId }).count({ n: '*' }).first())!.n);
    return {
      reservations: await count('reservations'),
      payments: await count('payments'),
      notifications: await count('notifications'),
      history: await count('order_status_history'),
      shipments: await count('shipments'),
      fulfillments: await count('fulfillments'),
    };
  }

  /** Waits until every consumer group has committed up to the end of every topic it reads. */
  async waitForIdle(groups: string[], timeoutMs = 30000): Promise<void> {
    const admin = this.stack.platform.kafka.admin();
    await admin.connect();
    try {
      await eventually('consumers idle', async () => {
        for (const groupId of groups) {
          const committed = await admin.fetchOffsets({ groupId });
          for (const t of committed) {
            const ends = await admin.fetchTopicOffsets(t.topic);
            for (const p of ends) {
              const c = t.partitions.find((x) => x.partition === p.partition);
              if (Number(p.offset) > 0 && Number(c?.offset ?? -1) < Number(p.offset)) return false;
            }
          }
        }
        return true;
      }, timeoutMs);
    } finally {
      await admin.disconnect();
    }
  }
}

import { TOPICS, TopicKey } from '../../shared/topics';
export const ALL_TOPICS = Object.keys(TOPICS) as TopicKey[];

/**
 * For store-level tests that need real orders: a test stack with only intake running, provisioned
 * before the file's tests and closed after them.
 */
export function intakeOnlyStack(): { stack: TestStack; saga: SagaDriver } {
  const stack = new TestStack();
  const saga = new SagaDriver(stack);
  beforeAll(async () => {
    await stack.provision();
    await stack.startService(stack.service('intake'));
  }, 120000);
  afterAll(() => stack.close());
  return { stack, saga };
}
