import { readFileSync } from 'fs';
import { join } from 'path';
import { FLEET_NODE_OPTIONS, fleetNodeOptions } from '../../bench/fleet-process';

describe('fleet launch options', () => {
  const scripts = (JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

  it.each(['fleet', 'start'])('when npm run %s starts the fleet, then it gets the V8 flags the bench measured it with, before the caller\'s NODE_OPTIONS', (name) => {
    expect(scripts[name]).toContain(`NODE_OPTIONS="${FLEET_NODE_OPTIONS} \${NODE_OPTIONS:-}"`);
  });

  it.each([
    [undefined, FLEET_NODE_OPTIONS],
    ['all', FLEET_NODE_OPTIONS],
    ['intake,fraud,fulfillment', FLEET_NODE_OPTIONS],
    ['payment', ''],
    ['payment,', ''],
  ])('when a bench or fault-suite process runs SERVICES=%s, then it gets %p', (services, expected) => {
    expect(fleetNodeOptions(services)).toBe(expected);
  });
});
