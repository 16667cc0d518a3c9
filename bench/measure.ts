/**
 * One load run against one server child, and what it is read for: RPS and latency from the
 * generator, CPU per answer from /proc (the server's, and on PostgreSQL its backends'), the
 * failed responses kept to print. Also the harness's log line and a single request outside
 * any load (a bulk operation).
 */
import { request } from 'undici';
import { median, runLoad, type LoadResult, type RequestSource, type RequestSpec } from './load.js';
import { backendsSpent, type BackendProbe } from './pg-backends.js';
import type { ServerChild } from './processes.js';
import type { FailureEntry, Summary } from './report.js';
import type { Credentials } from './seed.js';

export const CONNECTIONS = 64;

const started = performance.now();
export const log = (line: string) => process.stderr.write(`${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s ${line}\n`);
export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
export const headersOf = (c: Credentials) => ({ appid: c.appid, appsecret: c.appSecret });

/** A server under load: its process, what it is sent, and where its PostgreSQL backends are if any. */
export interface Contestant {
  name: string;
  child: ServerChild;
  source: RequestSource;
  headers: Record<string, string>;
  backends?: BackendProbe;
}

/** A load run and the CPU time per answer it cost, µs. */
export type Measured = LoadResult & { cpuUs: number; backendCpuUs?: number };

/** The CPU a request cost in all: the server's and, on PostgreSQL, its backends'. */
export const totalCpuUs = (m: { cpuUs: number; backendCpuUs?: number }) => m.cpuUs + (m.backendCpuUs ?? 0);

export function summarise(results: Measured[]): Summary {
  const backends = results.some((r) => r.backendCpuUs !== undefined) ? { backendCpuUs: round(median(results.map((r) => r.backendCpuUs ?? NaN)), 0) } : {};
  return {
    rps: round(median(results.map((r) => r.rps)), 0),
    p50: median(results.map((r) => r.p50)),
    p99: median(results.map((r) => r.p99)),
    cpuUs: round(median(results.map((r) => r.cpuUs)), 0),
    ...backends,
    runs: results.length,
  };
}

const failures = new Map<string, Omit<FailureEntry, 'label'>>();

function noteFailures(label: string, result: LoadResult): void {
  if (result.failed === 0 && result.socketErrors === 0) return;
  const entry = failures.get(label) ?? { failed: 0, socketErrors: 0, samples: [] };
  entry.failed += result.failed;
  entry.socketErrors += result.socketErrors;
  for (const sample of result.samples) if (entry.samples.length < 5) entry.samples.push(sample);
  failures.set(label, entry);
}

/** Every run's failed responses so far, by label. */
export function failuresSoFar(): FailureEntry[] {
  return [...failures.entries()].map(([label, f]) => ({ label, ...f }));
}

/** Failed responses and socket errors of the runs whose label starts with `prefix`. */
export function failedUnder(prefix: string): number {
  return failuresSoFar()
    .filter((f) => f.label.startsWith(prefix))
    .reduce((sum, f) => sum + f.failed + f.socketErrors, 0);
}

/** Last rate seen per stream, to size how many requests to prepare for its next run. */
const lastRate = new Map<string, number>();
const FIRST_RATE_GUESS = 15_000;

const perAnswerUs = (seconds: number | undefined, requests: number) => (seconds !== undefined && requests > 0 ? (seconds * 1e6) / requests : NaN);

/** One run of `seconds` against the contestant; `stream` names its request stream (for sizing). */
export async function load(label: string, stream: string, contestant: Contestant, seconds: number): Promise<Measured> {
  const { child, source } = contestant;
  const prepare = typeof source === 'function' ? Math.ceil((lastRate.get(stream) ?? FIRST_RATE_GUESS) * seconds * 1.6) + 1000 : 0;
  const backendsBefore = await contestant.backends?.read();
  const cpuBefore = child.cpuSeconds();
  const loaded = await runLoad(child.url, source, { connections: CONNECTIONS, seconds, headers: contestant.headers, prepare });
  const cpuAfter = child.cpuSeconds();
  const backendsAfter = await contestant.backends?.read();
  // Not capped by the load generator (which shares the 2 cores): the figure to read first.
  const cpuUs = perAnswerUs(cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined, loaded.requests);
  const backendCpuUs = backendsBefore && backendsAfter ? perAnswerUs(backendsSpent(backendsBefore, backendsAfter), loaded.requests) : undefined;
  const result: Measured = { ...loaded, cpuUs, ...(backendCpuUs !== undefined ? { backendCpuUs } : {}) };
  lastRate.set(stream, result.rps);
  noteFailures(label, result);
  const notes = [result.failed ? `FAILED ${result.failed}` : '', result.builtLive ? `${result.builtLive} built live` : ''].filter(Boolean).join(', ');
  const cpu = `${Math.round(cpuUs)}${backendCpuUs !== undefined ? ` + ${Math.round(backendCpuUs)}` : ''}`;
  log(`  ${label.padEnd(34)} ${String(Math.round(result.rps)).padStart(7)} req/s  p50 ${result.p50} ms  p99 ${result.p99} ms  CPU ${cpu} µs/req${notes ? `  (${notes})` : ''}`);
  return result;
}

/** One signed request outside the load, e.g. a bulk operation; returns the envelope and the time it took. */
export async function once(child: ServerChild, spec: RequestSpec, headers: Record<string, string>): Promise<{ ms: number; body: any }> {
  const begun = performance.now();
  const response = await request(`${child.url}${spec.path}`, {
    method: spec.method,
    headers: { ...headers, 'content-type': 'application/json' },
    body: spec.body,
    headersTimeout: 600_000,
    bodyTimeout: 600_000,
  });
  const text = await response.body.text();
  const ms = performance.now() - begun;
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (response.statusCode !== 200 || body?.code !== 0) throw new Error(`${spec.method} ${spec.path} failed: HTTP ${response.statusCode} ${text.slice(0, 300)}`);
  return { ms, body };
}
