import type { ServiceDefinition } from '../shared/runner/handler';
import { intake } from './intake';

/** Every consumer service of the fleet, by name. */
export const SERVICES: Record<string, ServiceDefinition> = {
  intake,
};

export function selectServices(names: string[]): ServiceDefinition[] {
  if (names.length === 0 || names.includes('all')) return Object.values(SERVICES);
  const unknown = names.filter((n) => !SERVICES[n]);
  if (unknown.length) throw new Error(`SERVICES names unknown services: ${unknown.join(', ')} (known: ${Object.keys(SERVICES).join(', ')})`);
  return names.map((n) => SERVICES[n]!);
}
