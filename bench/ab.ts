/**
 * `npm run bench:ab -- [--base REF] [--candidate REF] [--pairs N] [--discard N] -- <bench options>`
 *
 * Compares two versions of the code the way the README's figures are measured: alternated pairs
 * of `npm run bench` runs in one session, each on a database of its own, after N discarded runs
 * (the broker's JIT threads compile during the first run after its start). The base defaults to
 * HEAD; the candidate defaults to this checkout as it is, uncommitted changes included. Each ref
 * is checked out in a temporary git worktree, removed afterwards, as are the databases.
 * Prints each run and the medians per side with their ratio; writes bench/results/ab-latest.json.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Client } from 'pg';
import { FIGURES, RunFigures, runOrder, Side, summarize } from './ab-plan';

const ROOT = join(__dirname, '..');
const [ownArgs, benchArgs] = splitAtSeparator(process.argv.slice(2));
const option = (name: string, fallback: string) => {
  const i = ownArgs.indexOf(`--${name}`);
  return i >= 0 && ownArgs[i + 1] ? ownArgs[i + 1]! : fallback;
};
const BASE = option('base', 'HEAD');
const CANDIDATE = option('candidate', ''); // '' = this checkout, uncommitted changes included
const PAIRS = Number(option('pairs', '3'));
const DISCARD = Number(option('discard', '1'));
const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function splitAtSeparator(args: string[]): [string[], string[]] {
  const i = args.indexOf('--');
  return i < 0 ? [args, []] : [args.slice(0, i), args.slice(i + 1)];
}

const git = (args: string[], cwd = ROOT) => {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout.trim();
};

/** A directory holding `ref` (a temporary worktree sharing this checkout's node_modules), or this checkout. */
function checkout(ref: string, worktrees: string[]): { dir: string; commit: string } {
  if (ref === '') return { dir: ROOT, commit: `${git(['rev-parse', '--short', 'HEAD'])}${git(['status', '--porcelain']) ? '+changes' : ''}` };
  const commit = git(['rev-parse', '--short', `${ref}^{commit}`]);
  const dir = mkdtempSync(join(tmpdir(), `oms-ab-${commit}-`));
  git(['worktree', 'add', '--detach', '--force', dir, commit]);
  worktrees.push(dir);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return { dir, commit };
}

function databaseUrl(name: string): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function onServer(sql: string): Promise<void> {
  const client = new Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** One bench run in `dir` on a fresh database; returns its run id and results file. */
async function benchRun(dir: string, database: string, log: string): Promise<{ runId: string; result: Record<string, any> }> {
  await onServer(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await onServer(`CREATE DATABASE ${database}`);
  const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'bench/run.ts', ...benchArgs], {
    cwd: dir,
    env: { ...process.env, DATABASE_URL: databaseUrl(database) },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  writeFileSync(log, `${r.stdout}\n${r.stderr}`);
  const runId = /^bench (bench[a-z0-9]+):/m.exec(r.stdout)?.[1];
  if (r.status !== 0 || !runId) throw new Error(`the bench run in ${dir} failed (exit ${r.status}); its output is in ${log}`);
  return { runId, result: JSON.parse(readFileSync(join(dir, 'bench', 'results', `${runId}.json`), 'utf8')) };
}

const figuresOf = (result: Record<string, any>): RunFigures => ({
  ordersPerSecond: result.ordersPerSecond,
  p50Ms: result.p50Ms,
  p99Ms: result.p99Ms,
  p999Ms: result.p999Ms,
  fleetCpuSeconds: result.machineCpu.secondsByComponent.fleet,
  postgresCpuSeconds: result.machineCpu.secondsByComponent.postgres,
  drainMessagesPerSecond: result.drainMessagesPerSecond,
});

async function main() {
  const order = runOrder(PAIRS);
  if (!Number.isInteger(DISCARD) || DISCARD < 0) throw new Error(`--discard ${DISCARD}: a whole number of runs, 0 or more`);
  const worktrees: string[] = [];
  const databases = new Set<string>();
  const logs = join(ROOT, '.stack', 'bench-ab');
  mkdirSync(logs, { recursive: true });
  try {
    const sides: Record<Side, { dir: string; commit: string }> = { base: checkout(BASE, worktrees), candidate: checkout(CANDIDATE, worktrees) };
    console.log(`bench:ab: base ${sides.base.commit}, candidate ${sides.candidate.commit}; ${DISCARD} discarded, then ${PAIRS} alternated pairs of: npm run bench -- ${benchArgs.join(' ')}`);
    const run = async (side: Side, label: string) => {
      const database = `oms_ab_${process.pid}_${label.replace(/\W/g, '_')}`;
      databases.add(database);
      const outcome = await benchRun(sides[side].dir, database, join(logs, `${label}.log`));
      await onServer(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      return outcome;
    };
    for (let i = 0; i < DISCARD; i++) {
      await run('base', `discard-${i + 1}`);
      console.log(`discard-${i + 1}: done`);
    }
    const runs: { side: Side; pair: number; runId: string; figures: RunFigures }[] = [];
    for (const [k, side] of order.entries()) {
      const pair = Math.floor(k / 2) + 1;
      const { runId, result } = await run(side, `${side}-${pair}`);
      const figures = figuresOf(result);
      runs.push({ side, pair, runId, figures });
      console.log(`${side}-${pair}: ${JSON.stringify(figures)}`);
    }
    const summary = summarize(runs);
    console.table(Object.fromEntries(FIGURES.map((f) => [f, { ...summary[f], candidateLowerInPairs: `${summary[f].candidateLowerInPairs} of ${PAIRS}` }])));
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    const out = { base: sides.base.commit, candidate: sides.candidate.commit, benchArgs, pairs: PAIRS, discarded: DISCARD, startedAt: new Date().toISOString(), runs, summary };
    writeFileSync(join(ROOT, 'bench', 'results', 'ab-latest.json'), JSON.stringify(out, null, 2));
    console.log('results in bench/results/ab-latest.json; each run\'s output in .stack/bench-ab/');
  } finally {
    for (const database of databases) await onServer(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    for (const dir of worktrees) {
      if (existsSync(dir)) git(['worktree', 'remove', '--force', dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
