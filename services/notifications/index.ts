import type { ServiceDefinition } from '../../shared/runner/handler';
import type { ServiceDeps } from '../deps';
import { onFulfillmentRequested, onLineItemRefused, onOrderCancelled, onOrderDelivered, onOrderPlaced, onOrderRejected, onOrderShipped } from './handlers';

export const createNotifications = ({ config }: ServiceDeps): ServiceDefinition => ({
  name: 'notifications',
  consumes: ['orders', 'fulfillmentRequests', 'fulfillment'],
  handlers: {
    'io.oms.orders.OrderPlaced': onOrderPlaced,
    'io.oms.orders.OrderRejected': onOrderRejected,
    'io.oms.orders.OrderCancelled': onOrderCancelled,
    'io.oms.orders.LineItemRefused': onLineItemRefused(config.NOTIFY_LINE_REFUSED_PER_ORDER),
    'io.oms.fulfillment.FulfillmentRequested': onFulfillmentRequested,
    'io.oms.fulfillment.OrderShipped': onOrderShipped,
    'io.oms.fulfillment.OrderDelivered': onOrderDelivered,
  },
});
