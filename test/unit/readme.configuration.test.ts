import { readFileSync } from 'fs';
import { join } from 'path';
import { settings } from '../../shared/config';

describe('README configuration table', () => {
  const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');

  it.each(Object.entries(settings))('documents %s with its default', (name, s) => {
    const shown = s.default === '' ? '(empty)' : `\`${s.default}\``;
    expect(readme).toContain(`| \`${name}\` | ${shown} |`);
  });
});
