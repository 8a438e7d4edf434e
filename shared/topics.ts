/**
 * The one topic registry: names, partitions, the record types each topic carries and its DLQ.
 * Provisioning, services and tests all read it. Keys are orderId everywhere except
 * warehouse.stock-levels (sku).
 */
export const TOPICS = {
  orderCommands: {
    name: 'oms.order-commands',
    partitions: 6,
    records: ['io.oms.commands.SubmitOrder', 'io.oms.commands.AddLineItem', 'io.oms.commands.CancelOrder', 'io.oms.commands.ReleaseOrderHold'],
  },
  orders: {
    name: 'oms.orders',
    partitions: 6,
    records: ['io.oms.orders.OrderPlaced', 'io.oms.orders.OrderRejected', 'io.oms.orders.LineItemAdded', 'io.oms.orders.LineItemRefused', 'io.oms.orders.OrderCancelled'],
  },
  fraud: {
    name: 'oms.fraud',
    partitions: 6,
    records: ['io.oms.fraud.FraudCheckPassed', 'io.oms.fraud.FraudCheckFailed', 'io.oms.fraud.FraudReviewRequired'],
  },
  inventory: {
    name: 'oms.inventory',
    partitions: 6,
    records: [
      'io.oms.inventory.InventoryReserved', 'io.oms.inventory.InventoryUnavailable',
      'io.oms.inventory.InventoryReleased', 'io.oms.inventory.InventoryCommitted',
    ],
  },
  payments: {
    name: 'oms.payments',
    partitions: 6,
    records: [
      'io.oms.payments.PaymentAuthorized', 'io.oms.payments.PaymentDeclined', 'io.oms.payments.PaymentCaptured',
      'io.oms.payments.PaymentVoided', 'io.oms.payments.PaymentRefunded',
    ],
  },
  fulfillmentRequests: {
    name: 'oms.fulfillment-requests',
    partitions: 6,
    records: ['io.oms.fulfillment.FulfillmentRequested', 'io.oms.fulfillment.FulfillmentCancelled'],
  },
  warehouseShipments: {
    name: 'warehouse.shipments',
    partitions: 6,
    records: ['io.oms.warehouse.ShipmentDispatched', 'io.oms.warehouse.ShipmentDelivered'],
  },
  fulfillment: {
    name: 'oms.fulfillment',
    partitions: 6,
    records: ['io.oms.fulfillment.OrderShipped', 'io.oms.fulfillment.OrderDelivered'],
  },
  stockLevels: {
    name: 'warehouse.stock-levels',
    partitions: 3,
    records: ['io.oms.warehouse.StockLevelSet'],
  },
  customerNotifications: {
    name: 'oms.customer-notifications',
    partitions: 3,
    records: ['io.oms.notifications.CustomerNotification'],
  },
} as const;

/** The first segment of every topic name (`oms`, `warehouse`): what follows a fleet's KAFKA_TOPIC_PREFIX in its topics. */
export const TOPIC_NAMESPACES: readonly string[] = [...new Set(Object.values(TOPICS).map((t) => t.name.split('.')[0]!))];

export type TopicKey = keyof typeof TOPICS;
export type TopicSpec = (typeof TOPICS)[TopicKey];
export type RecordName = TopicSpec['records'][number];

export const DLQ_SUFFIX = '.dlq';
export const DLQ_PARTITIONS = 1;

/** Physical topic name, with the deployment's prefix (empty in production). */
export function topicName(key: TopicKey, prefix = ''): string {
  return prefix + TOPICS[key].name;
}

export function dlqName(physicalTopic: string): string {
  return physicalTopic + DLQ_SUFFIX;
}

/** Subject naming: TopicRecordNameStrategy, since several record types share a topic. */
export function subjectFor(physicalTopic: string, recordName: string): string {
  return `${physicalTopic}-${recordName}`;
}

export function topicOfRecord(recordName: RecordName): TopicKey {
  for (const key of Object.keys(TOPICS) as TopicKey[]) {
    if ((TOPICS[key].records as readonly string[]).includes(recordName)) return key;
  }
  throw new Error(`record ${recordName} is on no topic`);
}

/** Short record name, e.g. `OrderPlaced` for `io.oms.orders.OrderPlaced`. */
export const shortName = (recordName: string) => recordName.slice(recordName.lastIndexOf('.') + 1);
