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
import { loadConfig } from '../shared/config';
import { createDb, type Db } from '../shared/db/knex';
import { scratchDatabase } from '../test/support/scratch-database';
import { type BenchResult, FIGURES, figuresOf, RunFigures, runOrder, Side, summarize } from './ab-plan';

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

/** One bench run in `dir` on a database of its own (dropped afterwards); returns its run id and results file. */
async function benchRun(admin: Db, serverUrl: string, dir: string, log: string): Promise<{ runId: string; result: BenchResult }> {
  const database = await scratchDatabase(admin, `oms_ab_${process.pid}`, serverUrl);
  try {
    const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'bench/run.ts', ...benchArgs], {
      cwd: dir,
      env: { ...process.env, DATABASE_URL: database.url },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    writeFileSync(log, `${r.stdout}\n${r.stderr}`);
    const runId = /^bench (bench[a-z0-9]+):/m.exec(r.stdout)?.[1];
    if (r.status !== 0 || !runId) throw new Error(`the bench run in ${dir} failed (exit ${r.status}); its output is in ${log}`);
    return { runId, result: JSON.parse(readFileSync(join(dir, 'bench', 'results', `${runId}.json`), 'utf8')) as BenchResult };
  } finally {
    await database.drop();
  }
}

async function main() {
  const order = runOrder(PAIRS);
  if (!Number.isInteger(DISCARD) || DISCARD < 0) throw new Error(`--discard ${DISCARD}: a whole number of runs, 0 or more`);
  const worktrees: string[] = [];
  const config = loadConfig(); // DATABASE_URL names the server the runs' databases are made on
  const admin = createDb(config, 'oms-bench-ab');
  const logs = join(ROOT, '.stack', 'bench-ab');
  mkdirSync(logs, { recursive: true });
  const startedAt = new Date().toISOString();
  // Ctrl-C reaches the bench run too, which fails; the clean-up below then removes the worktrees and databases
  process.on('SIGINT', () => console.error('interrupted: removing the worktrees and databases once the bench run in hand ends'));
  try {
    const sides: Record<Side, { dir: string; commit: string }> = { base: checkout(BASE, worktrees), candidate: checkout(CANDIDATE, worktrees) };
    console.log(`bench:ab: base ${sides.base.commit}, candidate ${sides.candidate.commit}; ${DISCARD} discarded, then ${PAIRS} alternated pairs of: npm run bench -- ${benchArgs.join(' ')}`);
    const run = (side: Side, label: string) => benchRun(admin, config.DATABASE_URL, sides[side].dir, join(logs, `${label}.log`));
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
    const out = { base: sides.base.commit, candidate: sides.candidate.commit, benchArgs, pairs: PAIRS, discarded: DISCARD, startedAt, runs, summary };
    writeFileSync(join(ROOT, 'bench', 'results', 'ab-latest.json'), JSON.stringify(out, null, 2));
    console.log('results in bench/results/ab-latest.json; each run\'s output in .stack/bench-ab/');
  } finally {
    await admin.destroy();
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
