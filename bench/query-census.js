/**
 * Preloaded into fleet processes by `BENCH_QUERY_CENSUS=1` (node --require): counts every SQL
 * statement by its shape (literals and parameters elided) and writes the census to
 * .stack/query-census/<pid>.json on exit, so a bench run shows where the round trips go.
 */
const { writeFileSync, mkdirSync } = require('fs');
const { join } = require('path');
const { Client } = require('pg');

const census = new Map();
const original = Client.prototype.query;
Client.prototype.query = function countedQuery(config, ...rest) {
  const text = typeof config === 'string' ? config : config && config.text;
  if (text) {
    const shape = text.replace(/\$\d+/g, '?').replace(/'[^']*'/g, "'?'").replace(/\(\?(, \?)*\)(, \(\?(, \?)*\))*/g, '(…)').replace(/\s+/g, ' ').slice(0, 200);
    census.set(shape, (census.get(shape) || 0) + 1);
  }
  return original.call(this, config, ...rest);
};

process.on('exit', () => {
  const dir = join(__dirname, '..', '.stack', 'query-census');
  mkdirSync(dir, { recursive: true });
  const rows = [...census].sort((a, b) => b[1] - a[1]).map(([statement, count]) => ({ count, statement }));
  writeFileSync(join(dir, `${process.pid}.json`), JSON.stringify(rows, null, 1));
});
