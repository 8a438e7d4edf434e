import { ConfigError } from '../../shared/config';
import type { ServiceDefinition } from '../../shared/runner/handler';
import type { ServiceDeps } from '../deps';
import { checkAddedLine } from './check-line.handler';
import { checkOrder, releaseHold } from './check-order.handler';
import { velocityRetention } from './velocity-retention';

export const createFraud = ({ config, fraudRules }: Pick<ServiceDeps, 'config' | 'fraudRules'>): ServiceDefinition => {
  const { windowMinutes } = fraudRules.velocity;
  if (config.FRAUD_VELOCITY_RETENTION_HOURS * 60 < windowMinutes) {
    // pruned keys would leave every window short: orders over the limit would pass
    throw new ConfigError([`FRAUD_VELOCITY_RETENTION_HOURS: ${config.FRAUD_VELOCITY_RETENTION_HOURS} h is shorter than the velocity window of ${config.FRAUD_RULES_FILE} (${windowMinutes} minutes)`]);
  }
  return {
    name: 'fraud',
    consumes: ['orders', 'orderCommands'],
    handlers: {
      'io.oms.orders.OrderPlaced': checkOrder(fraudRules),
      'io.oms.orders.LineItemAdded': checkAddedLine(fraudRules),
      'io.oms.commands.ReleaseOrderHold': releaseHold(fraudRules),
    },
    housekeeping: [velocityRetention(config.FRAUD_VELOCITY_RETENTION_HOURS, config.FRAUD_VELOCITY_PRUNE_INTERVAL_MS)],
  };
};
