import { existsSync, readFileSync } from 'fs';
import { consumerLagByService } from '../../bench/fleet-process';
import { type FaultHarness, SERVICES } from './harness';

const WARN = 40;

interface LogLine {
  level: number;
  time: string;
  msg: string;
  [key: string]: unknown;
}

/**
 * What a failed scenario leaves to read, printed where CI shows it: orders settled over time (when
 * progress stopped), each service's uncommitted lag (which one stopped), and per process its
 * warnings and errors by message with the last few in full and the time of its last line (whether
 * it went quiet). The fleet's logs themselves stay in .stack/bench-logs, which CI does not keep.
 */
export async function diagnose(h: FaultHarness): Promise<string> {
  const out: string[] = [`diagnosis of ${h.runId} (${h.scenario})`];
  const samples = h.progress.filter((_, i) => i % 10 === 0 || i === h.progress.length - 1);
  const t0 = h.progress[0]?.t ?? Date.now();
  out.push(`  settled over time: ${samples.map((p) => `${Math.round((p.t - t0) / 1000)}s=${p.settled}`).join(' ')}`);
  const lag = await consumerLagByService(h.kafkaAdmin, h.runId, SERVICES).catch((err: Error) => ({ error: err.message }));
  out.push(`  lag by service: ${JSON.stringify(lag)}`);
  for (const [service, processes] of h.fleet) {
    for (const p of processes) out.push(...digest(`${service} (${p.name})`, p.logFile));
  }
  return out.join('\n');
}

function digest(label: string, file: string): string[] {
  if (!existsSync(file)) return [`  ${label}: no log`];
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).map(parse).filter((l): l is LogLine => l !== null);
  const loud = lines.filter((l) => l.level >= WARN);
  const byMsg = new Map<string, number>();
  for (const l of loud) byMsg.set(l.msg, (byMsg.get(l.msg) ?? 0) + 1);
  const counts = [...byMsg].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([msg, n]) => `${n}× ${msg}`);
  const out = [`  ${label}: ${lines.length} lines, last at ${lines[lines.length - 1]?.time ?? '-'}; warn+ ${loud.length}${counts.length ? `: ${counts.join('; ')}` : ''}`];
  const lastLoud = loud.filter((l) => !String(l.msg).includes('dead-letter topic')).slice(-3);
  for (const l of lastLoud) out.push(`    ${JSON.stringify(l).slice(0, 600)}`);
  return out;
}

function parse(line: string): LogLine | null {
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return null;
  }
}
