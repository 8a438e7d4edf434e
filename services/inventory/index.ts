import type { ServiceDefinition } from '../../shared/runner/handler';
import type { ServiceDeps } from '../deps';
import { onFraudCheckPassed, onLineItemRefused, onOrderCancelled, onOrderShipped, onStockLevelSet } from './handlers';
import { holdExpiry } from './hold-expiry';

export const createInventory = ({ config }: Pick<ServiceDeps, 'config'>): ServiceDefinition => ({
  name: 'inventory',
  consumes: ['stockLevels', 'fraud', 'orders', 'fulfillment'],
  handlers: {
    'io.oms.warehouse.StockLevelSet': onStockLevelSet(config.INVENTORY_DEFAULT_LOCATION),
    'io.oms.fraud.FraudCheckPassed': onFraudCheckPassed,
    'io.oms.orders.LineItemRefused': onLineItemRefused,
    'io.oms.orders.OrderCancelled': onOrderCancelled,
    'io.oms.fulfillment.OrderShipped': onOrderShipped,
  },
  housekeeping: config.RESERVATION_HOLD_SECONDS > 0 ? [holdExpiry(config.RESERVATION_HOLD_SECONDS, config.RESERVATION_EXPIRY_INTERVAL_MS)] : [],
});
