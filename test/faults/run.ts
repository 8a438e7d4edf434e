/**
 * `npm run test:faults -- [--orders N] [--only <name substring>[,<name substring>...]]`
 *
 * The fault suite: each scenario runs N orders (FAULT_ORDERS, default 5000) through the real fleet
 * (one OS process per service), injects its fault, waits for every order to settle and every
 * consumer to catch up, then accounts for everything from the status store and the DLQs. Prints
 * a table, writes test/faults/results/latest.json, exits 1 if a promised zero is not zero.
 */
import { execFileSync } from 'child_process';
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { buildFleet } from '../../bench/fleet-process';
import { diagnose } from './diagnosis';
import { auditDlq } from './dlq-audit';
import { FaultHarness, prepareDatabase, sleep } from './harness';
import { account, recoverySeconds } from './invariants';
import { brokerRestart, duplicatesAndReordering, killNine, poisonFlood, postgresRestart, Scenario, scaleOutAndIn } from './scenarios';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : (process.env[`FAULT_${name.toUpperCase()}`] ?? fallback);
};
const ORDERS = Number(arg('orders', '5000'));
const POISON = Number(arg('poison', '10000'));
/** Comma-separated name substrings; a scenario runs if its name holds any of them. */
const ONLY = arg('only', '').split(',').filter(Boolean);

export interface ScenarioResult {
  scenario: string;
  orders: number;
  lost: number;
  duplicatedEffects: number;
  dlq: number;
  recoverySeconds: number | null;
  stockMismatches: number;
  inconsistentEffects: number;
  poisonNotDeadLettered: number;
  dlqWithoutReason: number;
  processRestarts: number;
  /** Transactions Postgres aborted as deadlocked during the scenario (pg_stat_database): every chunk takes its orders in key order first, so none. */
  deadlocks: number;
  seconds: number;
  details: Record<string, unknown>;
  /** One line, for a scenario that failed: where its orders stopped. */
  diagnosis?: string;
}

async function runScenario(scenario: Scenario): Promise<ScenarioResult> {
  const began = Date.now();
  console.log(`\n▶ ${scenario.name}: ${ORDERS} orders`);
  const h = new FaultHarness(scenario.name);
  h.expectedOrders = ORDERS;
  await h.start();
  const deadlocksBefore = await h.deadlocks();
  h.startProgress();
  try {
    await h.publishOrders(ORDERS, (published) => scenario.withEveryBatch?.(h, published) ?? Promise.resolve());
    const window = await scenario.inject(h, ORDERS);
    await h.waitAllSettled(ORDERS);
    const lag = await h.waitForLagZero();
    const accounting = await account(h);
    const dlq = await auditDlq(h);
    const poison = scenario.poisonSent?.() ?? 0;
    const poisonNotDeadLettered = poison ? [...Array(poison).keys()].filter((i) => !dlq.keys.has(`poison-${i}`)).length : 0;
    const result: ScenarioResult = {
      scenario: scenario.name,
      orders: accounting.orders,
      lost: accounting.lost,
      duplicatedEffects: accounting.duplicatedEffects,
      dlq: poison ? poison - poisonNotDeadLettered : dlq.messages,
      recoverySeconds: recoverySeconds(h.progress, window.startedAt, window.endedAt),
      stockMismatches: accounting.stockMismatches,
      inconsistentEffects: Object.values(accounting.inconsistent).reduce((a, b) => a + b, 0),
      poisonNotDeadLettered,
      dlqWithoutReason: dlq.withoutReason,
      processRestarts: h.restarts,
      deadlocks: deadlocksSince(deadlocksBefore, await h.deadlocks()),
      seconds: Math.round((Date.now() - began) / 1000),
      details: { outcome: accounting.outcome, notTerminal: accounting.notTerminal, duplicates: accounting.duplicates, inconsistent: accounting.inconsistent, dlqMessages: dlq.messages, dlqByReason: dlq.byReason, poisonSent: poison, lagAtEnd: lag, faultSeconds: Math.round((window.endedAt - window.startedAt) / 100) / 10 },
    };
    console.log(`  ${JSON.stringify(result.details)}`);
    if (broken(result, Boolean(scenario.poisonSent), scenario.restartsExpected).length > 0 || lag !== 0) {
      const { report, summary } = await diagnose(h, accounting.notTerminal);
      console.log(report);
      result.diagnosis = summary;
    }
    return result;
  } finally {
    await h.close();
  }
}

/** Deadlocks between two readings; after a crash of Postgres (its counters reset), those since the restart. */
const deadlocksSince = (before: { count: number; since: string | null }, after: { count: number; since: string | null }) =>
  after.since === before.since ? after.count - before.count : after.count;

/** Zeros the platform promises; for the poison flood, every poison message dead-lettered with a reason. */
function broken(r: ScenarioResult, poisonExpected: boolean, restartsExpected: number | undefined): string[] {
  const problems: string[] = [];
  if (restartsExpected !== undefined && r.processRestarts !== restartsExpected) problems.push(`processRestarts=${r.processRestarts} (expected ${restartsExpected})`);
  for (const k of ['lost', 'duplicatedEffects', 'stockMismatches', 'inconsistentEffects', 'poisonNotDeadLettered', 'dlqWithoutReason', 'deadlocks'] as const) if (r[k] !== 0) problems.push(`${k}=${r[k]}`);
  if (!poisonExpected && r.dlq !== 0) problems.push(`dlq=${r.dlq}`);
  if (poisonExpected && r.dlq !== POISON) problems.push(`dlq=${r.dlq} of ${POISON}`);
  return problems;
}

async function main() {
  console.log('building (tsc) ...');
  buildFleet();
  await prepareDatabase();
  const scenarios = [killNine, brokerRestart, postgresRestart, duplicatesAndReordering, scaleOutAndIn, poisonFlood(POISON)].filter((s) => ONLY.length === 0 || ONLY.some((o) => s.name.includes(o)));
  const results: ScenarioResult[] = [];
  const failures: string[] = [];
  for (const s of scenarios) {
    const r = await runScenario(s);
    results.push(r);
    const problems = broken(r, Boolean(s.poisonSent), s.restartsExpected);
    if (problems.length) failures.push(`${s.name}: ${problems.join(', ')}${r.diagnosis ? `\n  ${r.diagnosis}` : ''}`);
  }
  console.table(results.map(({ details, diagnosis, ...r }) => r));
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const summary = results.map(({ scenario, orders, lost, duplicatedEffects, dlq, recoverySeconds, deadlocks }) => ({ scenario, orders, lost, duplicatedEffects, dlq, recoverySeconds, deadlocks }));
  writeFileSync(join(dir, 'latest.json'), JSON.stringify(summary, null, 2) + '\n');
  writeFileSync(join(dir, 'latest-details.json'), JSON.stringify({ at: new Date().toISOString(), gitCommit: execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim(), results }, null, 2) + '\n');
  if (failures.length) {
    console.error(`\nFAULT SUITE FAILED:\n${failures.join('\n')}`);
    process.exit(1);
  }
  console.log('\nfault suite passed: every order accounted for, no effect doubled, stock balanced, every poison message dead-lettered with its reason');
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
