// Generated from schemas/*.avsc by shared/contracts/codegen.ts. Do not edit: run `npm run contracts:generate`.
/* eslint-disable */

export interface AddLineItem {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Order this event is about; also the Kafka key. */
  orderId: string;
  /** When it happened, epoch milliseconds UTC. */
  occurredAt: number;
  /** Same for every event of one order flow. */
  correlationId: string;
  /** eventId of the event or command that caused this one. */
  causationId: null | string;
  /** Service or channel that wrote the event. */
  producer: string;
  /** Order version the event was produced against (0 for commands). */
  orderVersion: number;
  line: OrderLineInput;
  requestedBy: string;
}

export interface Address {
  name: string;
  line1: string;
  line2: null | string;
  city: string;
  /** State, province or region code, e.g. CA */
  region: null | string;
  postalCode: string;
  /** ISO 3166-1 alpha-2 */
  country: string;
}

export interface CancelOrder {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Order this event is about; also the Kafka key. */
  orderId: string;
  /** When it happened, epoch milliseconds UTC. */
  occurredAt: number;
  /** Same for every event of one order flow. */
  correlationId: string;
  /** eventId of the event or command that caused this one. */
  causationId: null | string;
  /** Service or channel that wrote the event. */
  producer: string;
  /** Order version the event was produced against (0 for commands). */
  orderVersion: number;
  reason: CancelReason;
  requestedBy: string;
  detail: null | string;
}

export type CancelReason = 'customer_request' | 'fraud_rejected' | 'out_of_stock' | 'payment_declined' | 'operator' | 'reservation_expired';

export type ContactPreference = 'EMAIL' | 'SMS' | 'NONE';

export interface Customer {
  customerId: string;
  email: string;
  phone: null | string;
  name: string;
  contactPreference: ContactPreference;
  /** Null for guest checkouts */
  accountCreatedAt: null | number;
}

export interface CustomerNotification {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Order this event is about; also the Kafka key. */
  orderId: string;
  /** When it happened, epoch milliseconds UTC. */
  occurredAt: number;
  /** Same for every event of one order flow. */
  correlationId: string;
  /** eventId of the event or command that caused this one. */
  causationId: null | string;
  /** Service or channel that wrote the event. */
  producer: string;
  /** Order version the event was produced against (0 for commands). */
  orderVersion: number;
  notificationId: string;
  /** What the customer is told. LINE_REFUSED (26th session): an added line was refused and the order goes on without it. A reader that resolves this record against an older schema of its own (generated classes) fails on that symbol; one that decodes with the writer's schema from the registry does not. Update such readers first (BACKWARD compatibility: consumers before producers). */
  kind: NotificationKind;
  channel: NotificationChannel;
  recipient: string;
  subject: string;
  body: string;
  carrier: null | string;
  trackingNumber: null | string;
}

export interface DeliveryPreferences {
  instructions: null | string;
  preferredWindow: null | string;
}

export interface FraudCheckFailed {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Order this event is about; also the Kafka key. */
  orderId: string;
  /** When it happened, epoch milliseconds UTC. */
  occurredAt: number;
  /** Same for every event of one order flow. */
  correlationId: string;
  /** eventId of the event or command that caused this one. */
  causationId: null | string;
  /** Service or channel that wrote the event. */
  producer: string;
  /** Order version the event was produced against (0 for commands). */
  orderVersion: number;
  /** 0-100 */
  score: number;
  reasons: Array<string>;
  /** The added line this check refused (intake refuses the line, the order goes on); null when the order as placed failed. */
  forLineId: null | string;
}

export interface FraudCheckPassed {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Order this event is about; also the Kafka key. */
  orderId: string;
  /** When it happened, epoch milliseconds UTC. */
  occurredAt: number;
  /** Same for every event of one order flow. */
  correlationId: string;
  /** eventId of the event or command that caused this one. */
  causationId: null | string;
  /** Service or channel that wrote the event. */
  producer: string;
  /** Order version the event was produced against (0 for commands). */
  orderVersion: number;
  /** 0-100 */
  score: number;
  reasons: Array<string>;
  /** The added line this check cleared (inventory reserves it now); null when the check is of the order as placed. */
  forLineId: null | string;
}

export interface FraudReviewRequired {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Order this event is about; also the Kafka key. */
  orderId: string;
  /** When it happened, epoch milliseconds UTC. */
  occurredAt: number;
  /** Same for every event of one order flow. */
  correlationId: string;
  /** eventId of the event or command that caused this one. */
  causationId: null | string;
  /** Service or channel that wrote the event. */
  producer: string;
  /** Order version the event was produced against (0 for commands). */
  orderVersion: number;
  /** 0-100 */
  score: number;
  reasons: Array<string>;
  /** The added line that would need a review (intake refuses it: an order past the gate cannot wait for one); null when the order as placed goes on hold. */
  forLineId: null | string;
}

export interface FulfillmentCancelled {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Order this event is about; also the Kafka key. */
  orderId: string;
  /** When it happened, epoch milliseconds UTC. */
  occurredAt: number;
  /** Same for every event of one order flow. */
  correlationId: string;
  /** eventId of the event or command that caused this one. */
  causationId: null | string;
  /** Service or channel that wrote the event. */
  producer: string;
  /** Order version the event was produced against (0 for commands). */
  orderVersion: number;
  fulfillmentId: string;
  reason: string;
}

export interface FulfillmentLine {
  sku: string;
  name: string;
  quantity: number;
}

export interface FulfillmentRequested {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Order this event is about; also the Kafka key. */
  orderId: string;
  /** When it happened, epoch milliseconds UTC. */
  occurredAt: number;
  /** Same for every event of one order flow. */
  correlationId: string;
  /** eventId of the event or command that caused this one. */
  causationId: null | string;
  /** Service or channel that wrote the event. */
  producer: string;
  /** Order version the event was produced against (0 for commands). */
  orderVersion: number;
  fulfillmentId: string;
  lines: Array<FulfillmentLine>;
  shippingAddress: Address;
  shippingMethod: string;
  deliveryPreferences: null | DeliveryPreferences;
}

export interface InventoryCommitted {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Order this event is about; also the Kafka key. */
  orderId: string;
  /** When it happened, epoch milliseconds UTC. */
  occurredAt: number;
  /** Same for every event of one order flow. */
  correlationId: string;
  /** eventId of the event or command that caused this one. */
  causationId: null | string;
  /** Service or channel that wrote the event. */
  producer: string;
  /** Order version the event was produced against (0 for commands). */
  orderVersion: number;
  reservationIds: Array<string>;
  lines: Array<ReservedLine>;
}

export interface InventoryReleased {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Order this event is about; also the Kafka key. */
  orderId: string;
  /** When it happened, epoch milliseconds UTC. */
  occurredAt: number;
  /** Same for every event of one order flow. */
  correlationId: string;
  /** eventId of the event or command that caused this one. */
  causationId: null | string;
  /** Service or channel that wrote the event. */
  producer: string;
  /** Order version the event was produced against (0 for commands). */
  orderVersion: number;
  reservationIds: Array<string>;
  reason: string;
}

export interface InventoryReserved {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Order this event is about; also the Kafka key. */
  orderId: string;
  /** When it happened, epoch milliseconds UTC. */
  occurredAt: number;
  /** Same for every event of one order flow. */
  correlationId: string;
  /** eventId of the event or command that caused this one. */
  causationId: null | string;
  /** Service or channel that wrote the event. */
  producer: string;
  /** Order version the event was produced against (0 for commands). */
  orderVersion: number;
  reservationId: string;
  lines: Array<ReservedLine>;
  /** Set when reserving an added line */
  forLineId: null | string;
}

export interface InventoryUnavailable {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Order this event is about; also the Kafka key. */
  orderId: string;
  /** When it happened, epoch milliseconds UTC. */
  occurredAt: number;
  /** Same for every event of one order flow. */
  correlationId: string;
  /** eventId of the event or command that caused this one. */
  causationId: null | string;
  /** Service or channel that wrote the event. */
  producer: string;
  /** Order version the event was produced against (0 for commands). */
  orderVersion: number;
  lines: Array<UnavailableLine>;
  forLineId: null | string;
}

export interface LineItemAdded {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Order this event is about; also the Kafka key. */
  orderId: string;
  /** When it happened, epoch milliseconds UTC. */
  occurredAt: number;
  /** Same for every event of one order flow. */
  correlationId: string;
  /** eventId of the event or command that caused this one. */
  causationId: null | string;
  /** Service or channel that wrote the event. */
  producer: string;
  /** Order version the event was produced against (0 for commands). */
  orderVersion: number;
  line: OrderLine;
  currency: string;
  pricing: PriceBreakdown;
}

export interface LineItemRefused {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Order this event is about; also the Kafka key. */
  orderId: string;
  /** When it happened, epoch milliseconds UTC. */
  occurredAt: number;
  /** Same for every event of one order flow. */
  correlationId: string;
  /** eventId of the event or command that caused this one. */
  causationId: null | string;
  /** Service or channel that wrote the event. */
  producer: string;
  /** Order version the event was produced against (0 for commands). */
  orderVersion: number;
  /** The refused line, as order_lines stores it (LineItemAdded's line.lineId when it was announced). */
  lineId: string;
  sku: string;
  /** Why the line was refused: out_of_stock, payment_declined, fraud_rejected (the order with the line fails the fraud rules), fraud_review (it would need a review), or, for a line refused as its AddLineItem arrived (never announced), not_addable (fulfillment was already requested) or invalid_line (the line failed validation or pricing). Nothing is sent for a line added to a cancelled or rejected order. */
  reasonCode: string;
  /** Readable reason, as stored on the line. */
  reason: string;
  /** The order's total without the line (integer minor units). */
  totalMinor: number;
  /** ISO 4217. */
  currency: string;
  /** For invalid_line: each problem of the line, as OrderRejected.reasons says an order's (field, code such as invalid, out_of_range, negative, too_large, unknown, unavailable, and message); empty for every other reasonCode. Added in the 28th session: a record written before it reads as empty. */
  problems: Array<RejectionReason>;
}

export type NotificationChannel = 'EMAIL' | 'SMS';

export type NotificationKind = 'PLACED' | 'REJECTED' | 'CONFIRMED' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED' | 'LINE_REFUSED';

export interface OrderCancelled {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Order this event is about; also the Kafka key. */
  orderId: string;
  /** When it happened, epoch milliseconds UTC. */
  occurredAt: number;
  /** Same for every event of one order flow. */
  correlationId: string;
  /** eventId of the event or command that caused this one. */
  causationId: null | string;
  /** Service or channel that wrote the event. */
  producer: string;
  /** Order version the event was produced against (0 for commands). */
  orderVersion: number;
  reason: CancelReason;
  detail: null | string;
  previousState: string;
}

export interface OrderDelivered {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Order this event is about; also the Kafka key. */
  orderId: string;
  /** When it happened, epoch milliseconds UTC. */
  occurredAt: number;
  /** Same for every event of one order flow. */
  correlationId: string;
  /** eventId of the event or command that caused this one. */
  causationId: null | string;
  /** Service or channel that wrote the event. */
  producer: string;
  /** Order version the event was produced against (0 for commands). */
  orderVersion: number;
  shipmentId: string;
}

export interface OrderLine {
  lineId: string;
  sku: string;
  name: string;
  quantity: number;
  /** Unit price (integer minor units) */
  unitPriceMinor: number;
  /** Line discount (integer minor units) */
  discountMinor: number;
  /** quantity × unit price − discount (integer minor units) */
  lineTotalMinor: number;
  weightGrams: number;
}

export interface OrderLineInput {
  sku: string;
  name: string;
  quantity: number;
  /** Unit price (integer minor units) */
  unitPriceMinor: number;
  weightGrams: number;
}

export interface OrderPlaced {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Order this event is about; also the Kafka key. */
  orderId: string;
  /** When it happened, epoch milliseconds UTC. */
  occurredAt: number;
  /** Same for every event of one order flow. */
  correlationId: string;
  /** eventId of the event or command that caused this one. */
  causationId: null | string;
  /** Service or channel that wrote the event. */
  producer: string;
  /** Order version the event was produced against (0 for commands). */
  orderVersion: number;
  channel: string;
  channelOrderRef: string;
  customer: Customer;
  shippingAddress: Address;
  billingAddress: null | Address;
  lines: Array<OrderLine>;
  currency: string;
  shippingMethod: string;
  pricing: PriceBreakdown;
  payment: PaymentMethod;
  deliveryPreferences: null | DeliveryPreferences;
}

export interface OrderRejected {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Order this event is about; also the Kafka key. */
  orderId: string;
  /** When it happened, epoch milliseconds UTC. */
  occurredAt: number;
  /** Same for every event of one order flow. */
  correlationId: string;
  /** eventId of the event or command that caused this one. */
  causationId: null | string;
  /** Service or channel that wrote the event. */
  producer: string;
  /** Order version the event was produced against (0 for commands). */
  orderVersion: number;
  channel: string;
  channelOrderRef: string;
  customer: Customer;
  reasons: Array<RejectionReason>;
}

export interface OrderShipped {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Order this event is about; also the Kafka key. */
  orderId: string;
  /** When it happened, epoch milliseconds UTC. */
  occurredAt: number;
  /** Same for every event of one order flow. */
  correlationId: string;
  /** eventId of the event or command that caused this one. */
  causationId: null | string;
  /** Service or channel that wrote the event. */
  producer: string;
  /** Order version the event was produced against (0 for commands). */
  orderVersion: number;
  shipmentId: string;
  carrier: string;
  trackingNumber: string;
}

export interface PaymentAuthorized {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Order this event is about; also the Kafka key. */
  orderId: string;
  /** When it happened, epoch milliseconds UTC. */
  occurredAt: number;
  /** Same for every event of one order flow. */
  correlationId: string;
  /** eventId of the event or command that caused this one. */
  causationId: null | string;
  /** Service or channel that wrote the event. */
  producer: string;
  /** Order version the event was produced against (0 for commands). */
  orderVersion: number;
  paymentId: string;
  /** Amount (integer minor units) */
  amountMinor: number;
  currency: string;
  method: string;
  gateway: string;
  externalTransactionId: null | string;
}

export interface PaymentCaptured {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Order this event is about; also the Kafka key. */
  orderId: string;
  /** When it happened, epoch milliseconds UTC. */
  occurredAt: number;
  /** Same for every event of one order flow. */
  correlationId: string;
  /** eventId of the event or command that caused this one. */
  causationId: null | string;
  /** Service or channel that wrote the event. */
  producer: string;
  /** Order version the event was produced against (0 for commands). */
  orderVersion: number;
  paymentId: string;
  /** Amount (integer minor units) */
  amountMinor: number;
  currency: string;
  method: string;
  gateway: string;
  externalTransactionId: null | string;
}

export interface PaymentDeclined {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Order this event is about; also the Kafka key. */
  orderId: string;
  /** When it happened, epoch milliseconds UTC. */
  occurredAt: number;
  /** Same for every event of one order flow. */
  correlationId: string;
  /** eventId of the event or command that caused this one. */
  causationId: null | string;
  /** Service or channel that wrote the event. */
  producer: string;
  /** Order version the event was produced against (0 for commands). */
  orderVersion: number;
  paymentId: string;
  /** Amount (integer minor units) */
  amountMinor: number;
  currency: string;
  method: string;
  gateway: string;
  externalTransactionId: null | string;
  reasonCode: string;
  message: string;
  /** The added line whose raised authorization was declined (the order goes on without it); null when the order's own authorization was declined. */
  forLineId: null | string;
}

export interface PaymentMethod {
  /** card, wallet, invoice */
  method: string;
  /** Gateway token for the instrument; never a card number */
  token: string;
  /** ISO 3166-1 alpha-2 of the instrument */
  billingCountry: null | string;
}

export interface PaymentRefunded {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Order this event is about; also the Kafka key. */
  orderId: string;
  /** When it happened, epoch milliseconds UTC. */
  occurredAt: number;
  /** Same for every event of one order flow. */
  correlationId: string;
  /** eventId of the event or command that caused this one. */
  causationId: null | string;
  /** Service or channel that wrote the event. */
  producer: string;
  /** Order version the event was produced against (0 for commands). */
  orderVersion: number;
  paymentId: string;
  /** Amount (integer minor units) */
  amountMinor: number;
  currency: string;
  method: string;
  gateway: string;
  externalTransactionId: null | string;
}

export interface PaymentVoided {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Order this event is about; also the Kafka key. */
  orderId: string;
  /** When it happened, epoch milliseconds UTC. */
  occurredAt: number;
  /** Same for every event of one order flow. */
  correlationId: string;
  /** eventId of the event or command that caused this one. */
  causationId: null | string;
  /** Service or channel that wrote the event. */
  producer: string;
  /** Order version the event was produced against (0 for commands). */
  orderVersion: number;
  paymentId: string;
  /** Amount (integer minor units) */
  amountMinor: number;
  currency: string;
  method: string;
  gateway: string;
  externalTransactionId: null | string;
}

export interface PriceBreakdown {
  /** Sum of quantity × unit price (integer minor units) */
  subtotalMinor: number;
  /** Line and promotion discounts (integer minor units) */
  discountMinor: number;
  /** Tax (integer minor units) */
  taxMinor: number;
  /** Shipping (integer minor units) */
  shippingMinor: number;
  /** subtotal − discount + tax + shipping (integer minor units) */
  totalMinor: number;
}

export interface RejectionReason {
  field: string;
  code: string;
  message: string;
}

export interface ReleaseOrderHold {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Order this event is about; also the Kafka key. */
  orderId: string;
  /** When it happened, epoch milliseconds UTC. */
  occurredAt: number;
  /** Same for every event of one order flow. */
  correlationId: string;
  /** eventId of the event or command that caused this one. */
  causationId: null | string;
  /** Service or channel that wrote the event. */
  producer: string;
  /** Order version the event was produced against (0 for commands). */
  orderVersion: number;
  operator: string;
  note: null | string;
}

export interface ReservedLine {
  sku: string;
  location: string;
  quantity: number;
}

export interface ShipmentDelivered {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Order this event is about; also the Kafka key. */
  orderId: string;
  /** When it happened, epoch milliseconds UTC. */
  occurredAt: number;
  /** Same for every event of one order flow. */
  correlationId: string;
  /** eventId of the event or command that caused this one. */
  causationId: null | string;
  /** Service or channel that wrote the event. */
  producer: string;
  /** Order version the event was produced against (0 for commands). */
  orderVersion: number;
  shipmentId: string;
}

export interface ShipmentDispatched {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Order this event is about; also the Kafka key. */
  orderId: string;
  /** When it happened, epoch milliseconds UTC. */
  occurredAt: number;
  /** Same for every event of one order flow. */
  correlationId: string;
  /** eventId of the event or command that caused this one. */
  causationId: null | string;
  /** Service or channel that wrote the event. */
  producer: string;
  /** Order version the event was produced against (0 for commands). */
  orderVersion: number;
  shipmentId: string;
  carrier: string;
  trackingNumber: string;
}

export interface StockLevelSet {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Always null: stock levels are not about an order. */
  orderId: null | string;
  /** When it happened, epoch milliseconds UTC. */
  occurredAt: number;
  /** Same for every event of one order flow. */
  correlationId: string;
  /** eventId of the event or command that caused this one. */
  causationId: null | string;
  /** Service or channel that wrote the event. */
  producer: string;
  /** Order version the event was produced against (0 for commands). */
  orderVersion: number;
  sku: string;
  location: string;
  onHand: number;
}

export interface SubmitOrder {
  /** UUID of this event; consumers de-duplicate on it. */
  eventId: string;
  /** Order this event is about; also the Kafka key. */
  orderId: string;
  /** When it happened, epoch milliseconds UTC. */
  occurredAt: number;
  /** Same for every event of one order flow. */
  correlationId: string;
  /** eventId of the event or command that caused this one. */
  causationId: null | string;
  /** Service or channel that wrote the event. */
  producer: string;
  /** Order version the event was produced against (0 for commands). */
  orderVersion: number;
  /** web, mobile, erp, ... */
  channel: string;
  /** The channel's own order reference; (channel, channelOrderRef) is the idempotency key */
  channelOrderRef: string;
  customer: Customer;
  shippingAddress: Address;
  billingAddress: null | Address;
  lines: Array<OrderLineInput>;
  /** ISO 4217 */
  currency: string;
  shippingMethod: string;
  promotionCodes: Array<string>;
  payment: PaymentMethod;
  deliveryPreferences: null | DeliveryPreferences;
}

export interface UnavailableLine {
  sku: string;
  requested: number;
  available: number;
  reason: string;
}

/** Every top-level record, by its Avro full name. */
export interface RecordTypes {
  'io.oms.commands.AddLineItem': AddLineItem;
  'io.oms.commands.CancelOrder': CancelOrder;
  'io.oms.commands.ReleaseOrderHold': ReleaseOrderHold;
  'io.oms.commands.SubmitOrder': SubmitOrder;
  'io.oms.fraud.FraudCheckFailed': FraudCheckFailed;
  'io.oms.fraud.FraudCheckPassed': FraudCheckPassed;
  'io.oms.fraud.FraudReviewRequired': FraudReviewRequired;
  'io.oms.fulfillment.FulfillmentCancelled': FulfillmentCancelled;
  'io.oms.fulfillment.FulfillmentRequested': FulfillmentRequested;
  'io.oms.fulfillment.OrderDelivered': OrderDelivered;
  'io.oms.fulfillment.OrderShipped': OrderShipped;
  'io.oms.inventory.InventoryCommitted': InventoryCommitted;
  'io.oms.inventory.InventoryReleased': InventoryReleased;
  'io.oms.inventory.InventoryReserved': InventoryReserved;
  'io.oms.inventory.InventoryUnavailable': InventoryUnavailable;
  'io.oms.notifications.CustomerNotification': CustomerNotification;
  'io.oms.orders.LineItemAdded': LineItemAdded;
  'io.oms.orders.LineItemRefused': LineItemRefused;
  'io.oms.orders.OrderCancelled': OrderCancelled;
  'io.oms.orders.OrderPlaced': OrderPlaced;
  'io.oms.orders.OrderRejected': OrderRejected;
  'io.oms.payments.PaymentAuthorized': PaymentAuthorized;
  'io.oms.payments.PaymentCaptured': PaymentCaptured;
  'io.oms.payments.PaymentDeclined': PaymentDeclined;
  'io.oms.payments.PaymentRefunded': PaymentRefunded;
  'io.oms.payments.PaymentVoided': PaymentVoided;
  'io.oms.warehouse.ShipmentDelivered': ShipmentDelivered;
  'io.oms.warehouse.ShipmentDispatched': ShipmentDispatched;
  'io.oms.warehouse.StockLevelSet': StockLevelSet;
}
