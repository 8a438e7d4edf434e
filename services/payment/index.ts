import type { ServiceDefinition } from '../../shared/runner/handler';
import type { ServiceDeps } from '../deps';
import { authorizeReserved, captureShipped, compensateCancelled } from './handlers';

export const createPayment = ({ paymentGateway, pricingRules }: Pick<ServiceDeps, 'paymentGateway' | 'pricingRules'>): ServiceDefinition => ({
  name: 'payment',
  consumes: ['inventory', 'fulfillment', 'orders'],
  handlers: {
    'io.oms.inventory.InventoryReserved': authorizeReserved(paymentGateway, pricingRules),
    'io.oms.fulfillment.OrderShipped': captureShipped(paymentGateway, pricingRules),
    'io.oms.orders.OrderCancelled': compensateCancelled(paymentGateway),
  },
});
