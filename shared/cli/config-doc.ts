/** `npm run config:doc`: rewrites the README's configuration table from shared/config.ts. */
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { settings } from '../config';

const HEADER = '| variable | default | meaning |\n|---|---|---|\n';

/** The README's configuration table, one row per setting, in declaration order. */
export function configurationTable(): string {
  const rows = Object.entries(settings).map(([name, s]) => `| \`${name}\` | ${s.default === '' ? '(empty)' : `\`${s.default}\``} | ${s.doc}${s.secret ? ' Secret: never logged.' : ''} |`);
  return `${HEADER}${rows.join('\n')}`;
}

/** The table as the README has it now (from its header to the next blank line). */
export function readmeConfigurationTable(readme: string): string {
  const start = readme.indexOf(HEADER);
  return start < 0 ? '' : readme.slice(start, readme.indexOf('\n\n', start));
}

if (require.main === module) {
  const file = join(__dirname, '..', '..', 'README.md');
  const readme = readFileSync(file, 'utf8');
  const current = readmeConfigurationTable(readme);
  if (!current) throw new Error('README.md has no configuration table header to replace');
  writeFileSync(file, readme.replace(current, () => configurationTable())); // a function: a `$` in a doc is not a replacement pattern
  console.log(`configuration table: ${Object.keys(settings).length} settings`);
}
