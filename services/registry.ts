import type { ServiceDefinition } from '../shared/runner/handler';
import { topicName } from '../shared/topics';
import type { ServiceDeps } from './deps';
import { createFraud } from './fraud';
import { createFulfillment } from './fulfillment';
import { createIntake } from './intake';
import { createInventory } from './inventory';
import { createNotifications } from './notifications';
import { createPayment } from './payment';

/** Every consumer service of the fleet, by name. */
export const SERVICE_FACTORIES: Record<string, (deps: ServiceDeps) => ServiceDefinition> = {
  intake: createIntake,
  fraud: createFraud,
  inventory: createInventory,
  payment: createPayment,
  fulfillment: createFulfillment,
  notifications: createNotifications,
};

export function selectServices(names: string[], deps: ServiceDeps): ServiceDefinition[] {
  if (names.length === 0 || names.includes('all')) return Object.values(SERVICE_FACTORIES).map((f) => f(deps));
  const unknown = names.filter((n) => !SERVICE_FACTORIES[n]);
  if (unknown.length) throw new Error(`SERVICES names unknown services: ${unknown.join(', ')} (known: ${Object.keys(SERVICE_FACTORIES).join(', ')})`);
  return names.map((n) => SERVICE_FACTORIES[n]!(deps));
}

/** Per service, the physical topics its consumer group reads (for lag: the group's topics it has never committed on included). */
export function consumedTopics(deps: ServiceDeps): Record<string, string[]> {
  return Object.fromEntries(selectServices([], deps).map((s) => [s.name, s.consumes.map((k) => topicName(k, deps.config.KAFKA_TOPIC_PREFIX))]));
}
