import { ChildProcess, execFileSync, spawn } from 'child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'fs';
import { dirname, join } from 'path';
import type { Admin } from 'kafkajs';
import { lagOfGroup } from '../shared/kafka/consumer-lag';

/** Compiles the fleet (services and shared code only) to dist/, which fleet processes run. */
export function buildFleet(): void {
  const root = join(__dirname, '..');
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
}

/** The V8 flags package.json's `fleet` and `start` scripts give the fleet; keep the three in step. */
export const FLEET_NODE_OPTIONS = '--max-semi-space-size=32';

/**
 * The V8 flags of a fleet process running `services` (SERVICES: `all` or a comma-separated list).
 * The 32 MB young generation pays where several services share one event loop (1.16× orders/s,
 * eighth session); a process of one service got no CPU from it and 20–50 MB more peak RSS
 * (tenth and eleventh sessions), so it keeps V8's default, as README How to operate advises.
 */
export function fleetNodeOptions(services: string | undefined): string {
  const several = services === undefined || services.trim() === 'all' || services.split(',').filter((s) => s.trim()).length > 1;
  return several ? FLEET_NODE_OPTIONS : '';
}

/** One fleet process of the bench (compiled JS), with its CPU time and peak RSS read from /proc. */
export class FleetProcess {
  private child: ChildProcess | undefined;
  private last = { cpuSeconds: 0, peakRssMb: 0 };
  private stopping = false;
  /** Every process started under this name (a restarted one has a new pid). */
  readonly pids: number[] = [];
  /** Called when the process exits without being asked to stop (a crash, or a kill -9 from a test). */
  onUnexpectedExit: ((code: number | null, signal: NodeJS.Signals | null) => void) | undefined;
  constructor(readonly name: string, private readonly env: NodeJS.ProcessEnv) {}

  /** Where the process's stdout (its JSON log) goes. */
  get logFile(): string {
    return join(__dirname, '..', '.stack', 'bench-logs', `${this.name.replace(/[^\w-]/g, '_')}.log`);
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    // BENCH_CPU_PROF=1: each fleet process writes a V8 CPU profile to .stack/profiles on exit.
    const profile = this.env.BENCH_CPU_PROF === '1' ? ['--cpu-prof', `--cpu-prof-dir=${join(__dirname, '..', '.stack', 'profiles')}`] : [];
    // each fleet process counts its SQL statements for the limit run (and by shape with BENCH_QUERY_CENSUS=1)
    const census = ['--require', join(__dirname, 'query-census.js')];
    // as README How to operate has it: V8's young generation at 32 MB for several services; the caller's NODE_OPTIONS come after and win
    const env = { ...this.env, NODE_OPTIONS: `${fleetNodeOptions(this.env.SERVICES)} ${this.env.NODE_OPTIONS ?? ''}`.trim() };
    const child = spawn(process.execPath, [...profile, ...census, join(__dirname, '..', 'dist', 'services', 'fleet.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    mkdirSync(dirname(this.logFile), { recursive: true });
    // appended: a restarted process keeps its predecessor's lines
    child.stdout!.pipe(createWriteStream(this.logFile, { flags: 'a' }));
    child.stderr!.on('data', (d: Buffer) => process.stderr.write(`[${this.name}] ${d}`));
    child.once('exit', (code, signal) => {
      if (!this.stopping) this.onUnexpectedExit?.(code, signal);
    });
    this.stopping = false;
    this.child = child;
    if (child.pid) this.pids.push(child.pid);
  }

  /** Samples /proc: user+system CPU seconds and the peak resident set (VmHWM). */
  sample(): { cpuSeconds: number; peakRssMb: number } {
    const pid = this.child?.pid;
    if (!pid || !this.running) return this.last;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      const ticks = Number(stat[11]) + Number(stat[12]);
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      this.last = { cpuSeconds: ticks / 100, peakRssMb: Math.round(Number(hwm?.[1] ?? 0) / 1024) };
    } catch {
      // exited between the check and the read
    }
    return this.last;
  }

  /** SIGKILL, as a crash would: nothing is finished, nothing committed. */
  kill9(): void {
    this.child?.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.stopping = true;
    this.sample();
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

/** Waits until every named service's consumer group is Stable with at least `members` members (the instances started of it). */
export async function waitForStableGroups(admin: Admin, groupPrefix: string, services: string[], members: number, timeoutMs = 120_000, pollMs = 500): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { groups } = await admin.describeGroups(services.map((s) => `${groupPrefix}-${s}`));
    // stable with fewer members is not the end: the rest join with a rebalance that pauses the group
    if (groups.every((g) => g.state === 'Stable' && g.members.length >= members)) return;
    if (Date.now() > deadline) throw new Error(`consumer groups not stable with ${members} member(s) after ${timeoutMs} ms: ${groups.map((g) => `${g.groupId}=${g.state}/${g.members.length}`).join(', ')}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** Consumer lag summed over the services' groups (`<groupPrefix>-<service>`) and every topic they read. */
export async function totalConsumerLag(admin: Admin, groupPrefix: string, topicsByService: Readonly<Record<string, readonly string[]>>): Promise<number> {
  return Object.values(await consumerLagByService(admin, groupPrefix, topicsByService)).reduce((a, b) => a + b, 0);
}

/** Per service, messages on its topics not yet committed by its group. */
export async function consumerLagByService(admin: Admin, groupPrefix: string, topicsByService: Readonly<Record<string, readonly string[]>>): Promise<Record<string, number>> {
  const lag: Record<string, number> = {};
  for (const [service, topics] of Object.entries(topicsByService)) {
    lag[service] = (await lagOfGroup(admin, `${groupPrefix}-${service}`, topics)).reduce((n, t) => n + t.lag, 0);
  }
  return lag;
}
