/**
 * Preloaded into every bench fleet process (node --require): counts the SQL statements it sends
 * (BEGIN/COMMIT/ROLLBACK aside), which the limit run replays, and with `BENCH_QUERY_CENSUS=1`
 * also counts them by shape (literals and parameters elided), so a run shows where the round
 * trips go (a named prepared statement's shape starts with its name). Written to .stack/query-census/<pid>.json on exit: { statements, shapes }.
 */
const { writeFileSync, mkdirSync } = require('fs');
const { join } = require('path');
const { Client } = require('pg');

const census = new Map();
const byShape = process.env.BENCH_QUERY_CENSUS === '1';
let statements = 0;
const TRANSACTION_CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK|SET LOCAL ROLE)\b/i;
const original = Client.prototype.query;
Client.prototype.query = function countedQuery(config, ...rest) {
  const text = typeof config === 'string' ? config : config && config.text;
  if (text && !TRANSACTION_CONTROL.test(text)) statements++;
  // a pipelined query's carried statements (shared/db/pipelined-query.ts): the queued writes count, BEGIN and SET LOCAL ROLE do not
  const carried = (config && typeof config === 'object' && config.carriedTexts) || [];
  for (const t of carried) {
    if (TRANSACTION_CONTROL.test(t)) continue;
    statements++;
    if (byShape) count(`[queued] ${t}`);
  }
  if (text && byShape) {
    const prepared = typeof config === 'object' && config.name ? `[${config.name}] ` : '';
    count(prepared + text);
  }
  return original.call(this, config, ...rest);
};

function count(text) {
  const shape = text.replace(/\$\d+/g, '?').replace(/'[^']*'/g, "'?'").replace(/\(\?(, \?)*\)(, \(\?(, \?)*\))*/g, '(…)').replace(/\s+/g, ' ').slice(0, 200);
  census.set(shape, (census.get(shape) || 0) + 1);
}

process.on('exit', () => {
  const dir = join(__dirname, '..', '.stack', 'query-census');
  mkdirSync(dir, { recursive: true });
  const shapes = [...census].sort((a, b) => b[1] - a[1]).map(([statement, count]) => ({ count, statement }));
  writeFileSync(join(dir, `${process.pid}.json`), JSON.stringify({ statements, shapes }, null, 1));
});
