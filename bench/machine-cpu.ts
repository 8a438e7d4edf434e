import { readdirSync, readFileSync } from 'fs';

/**
 * The whole machine's CPU over the measured window, by what spent it: the fleet, Postgres (every
 * backend and worker), the Kafka broker (its JIT compiler threads apart), the schema registry, the
 * bench itself, and anything else. The fleet's own profile cannot say whether the fleet or its
 * dependencies hold the two cores; this can. Read from /proc, so Linux only.
 */
export type Component = 'fleet' | 'postgres' | 'kafka' | 'kafkaJit' | 'registry' | 'bench' | 'other';

const COMPONENTS: Component[] = ['fleet', 'postgres', 'kafka', 'kafkaJit', 'registry', 'bench', 'other'];
const TICKS_PER_SECOND = 100;

interface Seen {
  component: Component;
  first: number;
  last: number;
}

export interface MachineCpuReport {
  /** CPU seconds spent in the window, by component. */
  secondsByComponent: Record<Component, number>;
  /** Share of both cores busy (user, system, irq) over the window; steal is the hypervisor's. */
  busyShare: number;
  stealShare: number;
  windowSeconds: number;
}

export class MachineCpu {
  private readonly seen = new Map<string, Seen>();
  private startedAt = 0;
  private bootTicksAtStart = 0;
  private machineAtStart: number[] = [];

  /** `fleetPids` is asked at every sample: fleet processes may start late or be restarted. */
  constructor(private readonly fleetPids: () => readonly number[]) {}

  start(): void {
    this.startedAt = Date.now();
    this.bootTicksAtStart = uptimeTicks();
    this.machineAtStart = machineTicks();
    this.sample();
  }

  /** Records every live thread's ticks; a process or thread that exits keeps its last reading. */
  sample(): void {
    const fleet = new Set(this.fleetPids());
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      const component = classify(Number(pid), fleet);
      if (!component) continue;
      const threads = component === 'kafka' ? listThreads(pid) : [pid];
      for (const tid of threads) {
        const stat = readStat(component === 'kafka' ? `/proc/${pid}/task/${tid}/stat` : `/proc/${pid}/stat`);
        if (!stat) continue;
        const key = `${pid}/${tid}`;
        const was = this.seen.get(key);
        const part = component === 'kafka' && /^C\d CompilerThre/.test(stat.name) ? 'kafkaJit' : component;
        // born during the window: everything it spent is in the window
        const first = was?.first ?? (stat.startTicks <= this.bootTicksAtStart ? stat.ticks : 0);
        this.seen.set(key, { component: part, first, last: stat.ticks });
      }
    }
  }

  report(): MachineCpuReport {
    this.sample();
    const secondsByComponent = Object.fromEntries(COMPONENTS.map((c) => [c, 0])) as Record<Component, number>;
    for (const s of this.seen.values()) secondsByComponent[s.component] += (s.last - s.first) / TICKS_PER_SECOND;
    for (const c of COMPONENTS) secondsByComponent[c] = Math.round(secondsByComponent[c] * 10) / 10;
    const d = machineTicks().map((v, i) => v - (this.machineAtStart[i] ?? 0));
    const total = d.reduce((a, b) => a + b, 0) || 1;
    // /proc/stat: user nice system idle iowait irq softirq steal
    const busy = d[0]! + d[1]! + d[2]! + d[5]! + d[6]!;
    return {
      secondsByComponent,
      busyShare: Math.round((busy / total) * 100) / 100,
      stealShare: Math.round((d[7]! / total) * 100) / 100,
      windowSeconds: Math.round((Date.now() - this.startedAt) / 100) / 10,
    };
  }
}

const classified = new Map<number, Component | null>();

function classify(pid: number, fleet: Set<number>): Component | null {
  if (fleet.has(pid)) return 'fleet';
  if (pid === process.pid) return 'bench';
  if (!classified.has(pid)) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      return null;
    }
    if (cmdline === '') return null; // kernel thread
    classified.set(pid, /kafka\.Kafka /.test(cmdline) ? 'kafka' : /apicurio/i.test(cmdline) ? 'registry' : /^postgres|\/bin\/postgres /.test(cmdline) ? 'postgres' : 'other');
  }
  return classified.get(pid)!;
}

function listThreads(pid: string): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
}

function readStat(path: string): { name: string; ticks: number; startTicks: number } | null {
  try {
    const text = readFileSync(path, 'utf8');
    const close = text.lastIndexOf(')');
    const name = text.slice(text.indexOf('(') + 1, close);
    const f = text.slice(close + 2).split(' ');
    // fields after the name: utime is the 12th, stime the 13th, starttime the 20th (clock ticks since boot)
    return { name, ticks: Number(f[11]) + Number(f[12]), startTicks: Number(f[19]) };
  } catch {
    return null;
  }
}

function machineTicks(): number[] {
  return readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
}

function uptimeTicks(): number {
  return Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * TICKS_PER_SECOND;
}
