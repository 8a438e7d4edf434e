import type { RecordName } from '../../shared/contracts/codec';
import type { Handler, ServiceDefinition } from '../../shared/runner/handler';
import type { ServiceDeps } from '../deps';
import { addLineItem } from './add-line.handler';
import { cancelOrder } from './cancel';
import { onFraudCheckFailed, onFraudReviewRequired, onInventoryReserved, onInventoryUnavailable, onPaymentDeclined } from './saga-outcomes.handler';
import { PlacementBatch } from './placement-batch';
import { submitOrder } from './submit-order.handler';

export const createIntake = ({ pricingRules }: Pick<ServiceDeps, 'pricingRules'>): ServiceDefinition => ({
  name: 'intake',
  consumes: ['orderCommands', 'fraud', 'inventory', 'payments'],
  handlers: {
    'io.oms.commands.SubmitOrder': submitOrder(pricingRules),
    // commands about an order can follow its SubmitOrder in one chunk: the queued placements are stored first
    'io.oms.commands.AddLineItem': afterPlacements(addLineItem(pricingRules)),
    'io.oms.commands.CancelOrder': afterPlacements((ctx, cmd) => cancelOrder(ctx, cmd.orderId, cmd.reason, cmd.detail ?? `requested by ${cmd.requestedBy}`)),
    'io.oms.fraud.FraudCheckFailed': onFraudCheckFailed(pricingRules),
    'io.oms.fraud.FraudReviewRequired': onFraudReviewRequired(pricingRules),
    'io.oms.inventory.InventoryUnavailable': onInventoryUnavailable(pricingRules),
    'io.oms.inventory.InventoryReserved': onInventoryReserved,
    'io.oms.payments.PaymentDeclined': onPaymentDeclined(pricingRules),
  },
});

function afterPlacements<N extends RecordName>(handler: Handler<N>): Handler<N> {
  return async (ctx, event) => {
    await PlacementBatch.of(ctx).flush();
    await handler(ctx, event);
  };
}
