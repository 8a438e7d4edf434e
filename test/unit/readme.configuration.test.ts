import { readFileSync } from 'fs';
import { join } from 'path';
import { configurationTable, readmeConfigurationTable } from '../../shared/cli/config-doc';

describe('README configuration table', () => {
  it('when shared/config.ts changes, then the README table is regenerated with npm run config:doc (every setting once, with its default and doc)', () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    expect(readmeConfigurationTable(readme)).toBe(configurationTable());
  });
});
