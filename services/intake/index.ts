import type { ServiceDefinition } from '../../shared/runner/handler';
import type { ServiceDeps } from '../deps';
import { addLineItem } from './add-line.handler';
import { cancelOrder } from './cancel';
import { onFraudCheckFailed, onInventoryReserved, onInventoryUnavailable, onPaymentDeclined } from './saga-outcomes.handler';
import { submitOrder } from './submit-order.handler';

export const createIntake = ({ pricingRules }: Pick<ServiceDeps, 'pricingRules'>): ServiceDefinition => ({
  name: 'intake',
  consumes: ['orderCommands', 'fraud', 'inventory', 'payments'],
  handlers: {
    'io.oms.commands.SubmitOrder': submitOrder(pricingRules),
    'io.oms.commands.AddLineItem': addLineItem(pricingRules),
    'io.oms.commands.CancelOrder': (ctx, cmd) => cancelOrder(ctx, cmd.orderId, cmd.reason, cmd.detail ?? `requested by ${cmd.requestedBy}`),
    'io.oms.fraud.FraudCheckFailed': onFraudCheckFailed,
    'io.oms.inventory.InventoryUnavailable': onInventoryUnavailable(pricingRules),
    'io.oms.inventory.InventoryReserved': onInventoryReserved,
    'io.oms.payments.PaymentDeclined': onPaymentDeclined,
  },
});
