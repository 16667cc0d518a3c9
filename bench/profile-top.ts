/**
 * Reads a V8 .cpuprofile (from `npm run bench -- --profile DIR`) and prints where the time
 * went: the functions with the most self time, and the same time grouped by package or
 * project directory, so "Kysely compiling queries" or "SQLite fsync" stands out at a glance.
 *
 * Usage: node dist/bench/profile-top.js FILE.cpuprofile [TOP]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function area(url: string): string {
  if (url === '') return '(native/V8)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node core';
  const own = /\/dist\/(src\/[^/]+|bench)\//.exec(url);
  return own ? own[1]! : url;
}

const [file, topText] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node dist/bench/profile-top.js FILE.cpuprofile [TOP]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicros = new Map<number, number>();
profile.samples.forEach((id, index) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
// Percentages are of busy time: idle time only says how long the server waited for load.
const isIdle = (id: number) => byId.get(id)!.callFrame.functionName === '(idle)';
const idle = [...selfMicros].filter(([id]) => isIdle(id)).reduce((a, [, micros]) => a + micros, 0);
const total = [...selfMicros.values()].reduce((a, b) => a + b, 0) - idle;

const byFunction = new Map<string, number>();
const byArea = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  if (isIdle(id)) continue;
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const where = url ? `${url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${lineNumber + 1}` : '';
  const key = `${functionName || '(anonymous)'} ${where}`.trim();
  byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
  byArea.set(area(url), (byArea.get(area(url)) ?? 0) + micros);
}

const top = Number(topText ?? 25);
const pct = (micros: number) => `${((micros / total) * 100).toFixed(1).padStart(5)}%`;
process.stdout.write(`${file}: ${(total / 1e6).toFixed(1)} s busy, ${(idle / 1e6).toFixed(1)} s idle; percentages of busy time\n\nself time by area:\n`);
for (const [name, micros] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, 15)) process.stdout.write(`  ${pct(micros)}  ${name}\n`);
process.stdout.write(`\ntop ${top} functions by self time:\n`);
for (const [name, micros] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`  ${pct(micros)}  ${name}\n`);
