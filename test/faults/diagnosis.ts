import { existsSync, readFileSync } from 'fs';
import { consumerLagByService } from '../../bench/fleet-process';
import type { FaultHarness } from './harness';

const WARN = 40;
const FATAL = 60;

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
export async function diagnose(h: FaultHarness, notTerminal: Record<string, number>): Promise<{ report: string; summary: string }> {
  const out: string[] = [`diagnosis of ${h.runId} (${h.scenario})`];
  const samples = h.progress.filter((_, i) => i % 10 === 0 || i === h.progress.length - 1);
  const t0 = h.progress[0]?.t ?? Date.now();
  out.push(`  settled over time: ${samples.map((p) => `${Math.round((p.t - t0) / 1000)}s=${p.settled}`).join(' ')}`);
  const lag = await consumerLagByService(h.kafkaAdmin, h.runId, h.topicsByService).catch((err: Error) => ({ error: err.message }));
  out.push(`  lag by service: ${JSON.stringify(lag)}`);
  const outbox = await h.outboxRowsLeft().catch((err: Error) => err.message);
  out.push(`  outbox rows left: ${outbox}`);
  out.push(`  ${h.warehouse?.describe() ?? 'warehouse: not started'}`);
  const quiet: string[] = [];
  for (const [service, processes] of h.fleet) {
    for (const p of processes) {
      const lines = digest(`${service} (${p.name})`, p.logFile);
      out.push(...lines.report);
      quiet.push(`${service} ${lines.lastAt}${lines.fatal ? ` fatal×${lines.fatal}` : ''}`);
    }
  }
  // CI shows the end of the output: this one line says where the orders stopped
  const summary = `not terminal ${JSON.stringify(notTerminal)}; lag ${JSON.stringify(lag)}; outbox rows left ${outbox}; ${h.warehouse?.describe() ?? ''}; last log line: ${quiet.join(', ')}`;
  return { report: out.join('\n'), summary };
}

function digest(label: string, file: string): { report: string[]; lastAt: string; fatal: number } {
  if (!existsSync(file)) return { report: [`  ${label}: no log`], lastAt: '-', fatal: 0 };
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).map(parse).filter((l): l is LogLine => l !== null);
  const loud = lines.filter((l) => l.level >= WARN);
  const byMsg = new Map<string, number>();
  for (const l of loud) byMsg.set(l.msg, (byMsg.get(l.msg) ?? 0) + 1);
  const counts = [...byMsg].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([msg, n]) => `${n}× ${msg}`);
  const out = [`  ${label}: ${lines.length} lines, last at ${lines[lines.length - 1]?.time ?? '-'}; warn+ ${loud.length}${counts.length ? `: ${counts.join('; ')}` : ''}`];
  const lastLoud = loud.filter((l) => !String(l.msg).includes('dead-letter topic')).slice(-3);
  for (const l of lastLoud) out.push(`    ${JSON.stringify(l).slice(0, 600)}`);
  return { report: out, lastAt: lines[lines.length - 1]?.time.slice(11, 19) ?? '-', fatal: loud.filter((l) => l.level >= FATAL).length };
}

function parse(line: string): LogLine | null {
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return null;
  }
}
