import type { ServiceDefinition } from '../../shared/runner/handler';
import type { ServiceDeps } from '../deps';
import { checkOrder, releaseHold } from './check-order.handler';

export const createFraud = ({ fraudRules }: Pick<ServiceDeps, 'fraudRules'>): ServiceDefinition => ({
  name: 'fraud',
  consumes: ['orders', 'orderCommands'],
  handlers: {
    'io.oms.orders.OrderPlaced': checkOrder(fraudRules),
    'io.oms.commands.ReleaseOrderHold': releaseHold,
  },
});
