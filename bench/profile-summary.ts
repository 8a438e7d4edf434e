/** `ts-node bench/profile-summary.ts <file.cpuprofile>`: the functions with the most self time. */
import { readFileSync } from 'fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }
const profile = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const byFunction = new Map<string, number>();
const byArea = new Map<string, number>();
for (const n of profile.nodes) {
  const t = self.get(n.id) ?? 0;
  const where = n.callFrame.url.replace(/^.*node_modules\//, 'npm:').replace(/^.*\/dist\//, '').replace(/^file:\/\//, '');
  const name = `${n.callFrame.functionName || '(anonymous)'} ${where}:${n.callFrame.lineNumber}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + t);
  const area = n.callFrame.url === '' ? n.callFrame.functionName || '(native)' : where.startsWith('npm:') ? where.split('/')[0]!.replace('npm:', 'npm:') + (where.includes('/', 4) ? '/' + where.split('/')[1] : '') : where.startsWith('node:') ? 'node-core' : 'project';
  byArea.set(area, (byArea.get(area) ?? 0) + t);
}
const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${((v / total) * 100).toFixed(1).padStart(5)} %  ${k}`);
console.log(`total sampled: ${(total / 1e6).toFixed(1)} s\n-- by area --\n${top(byArea, 12).join('\n')}\n-- by function (self) --\n${top(byFunction, Number(process.env.TOP ?? 15)).join('\n')}`);
