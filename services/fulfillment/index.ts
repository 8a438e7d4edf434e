import type { ServiceDefinition } from '../../shared/runner/handler';
import type { ServiceDeps } from '../deps';
import { onAddedLineSettled, onLineItemRefused, onOrderCancelled, onPaymentAuthorized, onShipmentDelivered, onShipmentDispatched } from './handlers';

export const createFulfillment = ({ pricingRules }: Pick<ServiceDeps, 'pricingRules'>): ServiceDefinition => ({
  name: 'fulfillment',
  consumes: ['payments', 'inventory', 'warehouseShipments', 'orders'],
  handlers: {
    'io.oms.payments.PaymentAuthorized': onPaymentAuthorized(pricingRules),
    'io.oms.inventory.InventoryReserved': onAddedLineSettled(pricingRules),
    'io.oms.inventory.InventoryUnavailable': onAddedLineSettled(pricingRules),
    'io.oms.warehouse.ShipmentDispatched': onShipmentDispatched,
    'io.oms.warehouse.ShipmentDelivered': onShipmentDelivered,
    'io.oms.orders.LineItemRefused': onLineItemRefused(pricingRules),
    'io.oms.orders.OrderCancelled': onOrderCancelled,
  },
});
