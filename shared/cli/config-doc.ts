/** `npm run config:doc`: rewrites the README's configuration table from shared/config.ts. */
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { settings } from '../config';

const file = join(__dirname, '..', '..', 'README.md');
const rows = Object.entries(settings).map(([name, s]) => `| \`${name}\` | ${s.default === '' ? '(empty)' : `\`${s.default}\``} | ${s.doc}${s.secret ? ' Secret: never logged.' : ''} |`);
const readme = readFileSync(file, 'utf8');
const start = readme.indexOf('| variable | default | meaning |');
const end = readme.indexOf('\n\n', start);
writeFileSync(file, `${readme.slice(0, start)}| variable | default | meaning |\n|---|---|---|\n${rows.join('\n')}${readme.slice(end)}`);
console.log(`configuration table: ${rows.length} settings`);
