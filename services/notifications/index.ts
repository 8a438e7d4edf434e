import type { ServiceDefinition } from '../../shared/runner/handler';
import { onFulfillmentRequested, onLineItemRefused, onOrderCancelled, onOrderDelivered, onOrderPlaced, onOrderRejected, onOrderShipped } from './handlers';

export const createNotifications = (): ServiceDefinition => ({
  name: 'notifications',
  consumes: ['orders', 'fulfillmentRequests', 'fulfillment'],
  handlers: {
    'io.oms.orders.OrderPlaced': onOrderPlaced,
    'io.oms.orders.OrderRejected': onOrderRejected,
    'io.oms.orders.OrderCancelled': onOrderCancelled,
    'io.oms.orders.LineItemRefused': onLineItemRefused,
    'io.oms.fulfillment.FulfillmentRequested': onFulfillmentRequested,
    'io.oms.fulfillment.OrderShipped': onOrderShipped,
    'io.oms.fulfillment.OrderDelivered': onOrderDelivered,
  },
});
