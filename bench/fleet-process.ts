import { ChildProcess, spawn } from 'child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'fs';
import { join } from 'path';

/** One fleet process of the bench (compiled JS), with its CPU time and peak RSS read from /proc. */
export class FleetProcess {
  private child: ChildProcess | undefined;
  private last = { cpuSeconds: 0, peakRssMb: 0 };
  constructor(readonly name: string, private readonly env: NodeJS.ProcessEnv) {}

  start(): void {
    // BENCH_CPU_PROF=1: each fleet process writes a V8 CPU profile to .stack/profiles on exit.
    const profile = this.env.BENCH_CPU_PROF === '1' ? ['--cpu-prof', `--cpu-prof-dir=${join(__dirname, '..', '.stack', 'profiles')}`] : [];
    const child = spawn(process.execPath, [...profile, join(__dirname, '..', 'dist', 'services', 'fleet.js')], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const logs = join(__dirname, '..', '.stack', 'bench-logs');
    mkdirSync(logs, { recursive: true });
    child.stdout!.pipe(createWriteStream(join(logs, `${this.name.replace(/[^\w-]/g, '_')}.log`)));
    child.stderr!.on('data', (d: Buffer) => process.stderr.write(`[${this.name}] ${d}`));
    this.child = child;
  }

  /** Samples /proc: user+system CPU seconds and the peak resident set (VmHWM). */
  sample(): { cpuSeconds: number; peakRssMb: number } {
    const pid = this.child?.pid;
    if (!pid || this.child?.exitCode !== null) return this.last;
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

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    this.sample();
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}
