/**
 * `npm run bench`: vendcloud against baselines measured in the same run, on the same
 * cores, by the same load generator. This machine is shared and noisy, so absolute figures
 * mean little; the figures that count are ratios of runs made back to back (A B A B …).
 *
 * Flags: --quick (about a minute), --scenario NAME[,NAME] (repeatable), --json,
 * --db postgres://… (bench vendcloud on PostgreSQL), --seconds N, --pairs N,
 * --profile DIR (vendcloud's main child runs with --cpu-prof, profile written to DIR),
 * --pg-pool-size N and --pg-write-batches N (the PostgreSQL child's, in pg-vs-sqlite),
 * --fleet-machines N (fleet; 2,000 unless given). `--scenario metrics`: the Prometheus metrics on vs off.
 */
import { cpus, loadavg, availableParallelism } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { request } from 'undici';
import { isPostgresUrl } from '../src/store/store.js';
import { median, runLoad, type LoadResult, type RequestSource, type RequestSpec } from './load.js';
import { installCleanup, startChild, type ServerChild } from './processes.js';
import { measurePurgeStall, type PurgeStallFigures } from './purge-stall.js';
import { measureStall, type StallFigures } from './stall.js';
import { measureStoreComparison, storeComparisonRows } from './store-compare.js';
import { measureMetricsCost, metricsCostRows } from './metrics-cost.js';
import { fleetRows, measureFleet } from './fleet.js';
import { baselineWrite, cancelAll, createMany, P99_GOAL_MS, SCENARIOS, signedBody, type Reference, type Scenario } from './scenarios.js';
import {
  dropSchemas,
  freshLocation,
  scratchFile,
  seedCodes,
  seedFixture,
  seedMachine,
  seedMerchant,
  seedProduct,
  seedQueryMachine,
  analyze,
  withStore,
  type Credentials,
  type Location,
  type Target,
} from './seed.js';
import { API_PREFIX } from '../src/protocol/endpoints.js';

const GROUPS = ['baselines', ...SCENARIOS.map((s) => s.name), 'bulk', 'stall', 'purge', 'scale', 'pg-vs-sqlite', 'fleet', 'metrics'] as const;
const CONNECTIONS = 64;
/** Pools are sized for this many vendcloud writes a second, far above what 2 cores reach. */
const POOL_RATE_CAP = 20_000;
const CANCEL_ALL_CODES = 100_000;
const CREATE_MANY_CODES = 10_000;

interface Settings {
  mode: 'quick' | 'full';
  seconds: number;
  warmupSeconds: number;
  pairs: number;
  scaleCodes: number;
  bulkRepeats: number;
  scalePairs: number;
}

interface Args {
  settings: Settings;
  groups: Set<string>;
  json: boolean;
  db: string | undefined;
  profileDir: string | undefined;
  pgPoolSize: number | undefined;
  pgWriteBatches: number | undefined;
  fleetMachines: number;
}

function usage(message: string): never {
  process.stderr.write(`bench: ${message}\nusage: npm run bench -- [--quick] [--scenario ${GROUPS.join('|')}] [--json] [--db postgres://…] [--seconds N] [--pairs N] [--profile DIR] [--pg-pool-size N] [--pg-write-batches N] [--fleet-machines N]\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  let quick = false;
  let json = false;
  let db: string | undefined;
  let profileDir: string | undefined;
  let seconds: number | undefined;
  let pairs: number | undefined;
  let pgPoolSize: number | undefined;
  let pgWriteBatches: number | undefined;
  let fleetMachines = 2000;
  const groups = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => argv[++i] ?? usage(`${arg} needs a value`);
    const whole = (text: string) => (/^[1-9][0-9]*$/.test(text) ? Number(text) : usage(`${arg} needs a positive integer`));
    if (arg === '--quick') quick = true;
    else if (arg === '--json') json = true;
    else if (arg === '--db') db = value();
    else if (arg === '--profile') profileDir = value();
    else if (arg === '--seconds') seconds = whole(value());
    else if (arg === '--pairs') pairs = whole(value());
    else if (arg === '--pg-pool-size') pgPoolSize = whole(value());
    else if (arg === '--pg-write-batches') pgWriteBatches = whole(value());
    else if (arg === '--fleet-machines') fleetMachines = whole(value());
    else if (arg === '--scenario') {
      for (const name of value().split(',')) {
        if (!(GROUPS as readonly string[]).includes(name)) usage(`unknown scenario ${name}`);
        groups.add(name);
      }
    } else usage(`unknown argument ${arg}`);
  }
  if (db !== undefined && !isPostgresUrl(db)) usage('--db takes a postgres:// URL (SQLite is the default)');
  // autocannon stops on its once-a-second tick, so run lengths are whole seconds.
  const settings: Settings = quick
    ? { mode: 'quick', seconds: 1, warmupSeconds: 1, pairs: 1, scaleCodes: 100_000, bulkRepeats: 1, scalePairs: 1 }
    : { mode: 'full', seconds: 5, warmupSeconds: 1, pairs: 5, scaleCodes: 1_000_000, bulkRepeats: 3, scalePairs: 3 };
  if (seconds) settings.seconds = seconds;
  if (pairs) settings.pairs = pairs;
  return { settings, groups: groups.size > 0 ? groups : new Set(GROUPS), json, db, profileDir, pgPoolSize, pgWriteBatches, fleetMachines };
}

const started = performance.now();
const log = (line: string) => process.stderr.write(`${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s ${line}\n`);
const headersOf = (c: Credentials) => ({ appid: c.appid, appsecret: c.appSecret });
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

interface Summary {
  rps: number;
  p50: number;
  p99: number;
  /** The server's user+system CPU time per answer, µs (median over the runs). */
  cpuUs: number;
  runs: number;
}

/** A load run and the server's CPU time per answer during it. */
type Measured = LoadResult & { cpuUs: number };

function summarise(results: Measured[]): Summary {
  return {
    rps: round(median(results.map((r) => r.rps)), 0),
    p50: median(results.map((r) => r.p50)),
    p99: median(results.map((r) => r.p99)),
    cpuUs: round(median(results.map((r) => r.cpuUs)), 0),
    runs: results.length,
  };
}

interface Failures {
  failed: number;
  socketErrors: number;
  samples: string[];
}

const failures = new Map<string, Failures>();

function noteFailures(label: string, result: LoadResult): void {
  if (result.failed === 0 && result.socketErrors === 0) return;
  const entry = failures.get(label) ?? { failed: 0, socketErrors: 0, samples: [] };
  entry.failed += result.failed;
  entry.socketErrors += result.socketErrors;
  for (const sample of result.samples) if (entry.samples.length < 5) entry.samples.push(sample);
  failures.set(label, entry);
}

/** Last rate seen per stream, to size how many requests to prepare for its next run. */
const lastRate = new Map<string, number>();
const FIRST_RATE_GUESS = 15_000;

async function load(label: string, stream: string, child: ServerChild, source: RequestSource, seconds: number, headers: Record<string, string>): Promise<Measured> {
  const prepare = typeof source === 'function' ? Math.ceil((lastRate.get(stream) ?? FIRST_RATE_GUESS) * seconds * 1.6) + 1000 : 0;
  const cpuBefore = child.cpuSeconds();
  const loaded = await runLoad(child.url, source, { connections: CONNECTIONS, seconds, headers, prepare });
  const cpuAfter = child.cpuSeconds();
  // Not capped by the load generator (which shares the 2 cores): the figure to read first.
  const cpuUs = cpuBefore !== undefined && cpuAfter !== undefined && loaded.requests > 0 ? ((cpuAfter - cpuBefore) * 1e6) / loaded.requests : NaN;
  const result = { ...loaded, cpuUs };
  lastRate.set(stream, result.rps);
  noteFailures(label, result);
  const notes = [result.failed ? `FAILED ${result.failed}` : '', result.builtLive ? `${result.builtLive} built live` : ''].filter(Boolean).join(', ');
  log(`  ${label.padEnd(34)} ${String(Math.round(result.rps)).padStart(7)} req/s  p50 ${result.p50} ms  p99 ${result.p99} ms  CPU ${Math.round(cpuUs)} µs/req${notes ? `  (${notes})` : ''}`);
  return result;
}

/** One signed request outside the load, e.g. a bulk operation; returns the envelope and the time it took. */
async function once(child: ServerChild, spec: RequestSpec, headers: Record<string, string>): Promise<{ ms: number; body: any }> {
  const started = performance.now();
  const response = await request(`${child.url}${spec.path}`, {
    method: spec.method,
    headers: { ...headers, 'content-type': 'application/json' },
    body: spec.body,
    headersTimeout: 600_000,
    bodyTimeout: 600_000,
  });
  const text = await response.body.text();
  const ms = performance.now() - started;
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (response.statusCode !== 200 || body?.code !== 0) throw new Error(`${spec.method} ${spec.path} failed: HTTP ${response.statusCode} ${text.slice(0, 300)}`);
  return { ms, body };
}

function vendcloudArgs(location: Location): string[] {
  return ['--db', location.db, ...(location.pgSchema ? ['--db-schema', location.pgSchema] : [])];
}

// ---------------------------------------------------------------------------------------

interface BaselineFigures {
  name: string;
  title: string;
  reference?: number;
  summary: Summary;
  ratio: number;
}

async function measureBaselines(bare: ServerChild, key: Credentials, settings: Settings): Promise<BaselineFigures[]> {
  log('baselines: (a) bare node:http, (b) Fastify, (c) naive signed write at FULL and NORMAL');
  const naiveArgs = (sync: string) => ['naive', '--synchronous', sync, '--key', String(key.merchantId), '--db', scratchFile(`naive-${sync}.sqlite`)];
  const others = [
    { name: 'fastify', title: '(b) Fastify, one route', reference: 0.59, child: await startChild('fastify', 'baseline', ['fastify']) },
    { name: 'naive-full', title: '(c) naive signed write, synchronous=FULL', reference: 0.15, child: await startChild('naive FULL', 'baseline', naiveArgs('FULL')) },
    { name: 'naive-normal', title: '(c) naive signed write, synchronous=NORMAL', reference: 0.29, child: await startChild('naive NORMAL', 'baseline', naiveArgs('NORMAL')) },
  ];
  const headers = headersOf(key);
  const targets = [{ name: 'bare', title: '(a) bare node:http', reference: 1, child: bare }, ...others];
  const results = new Map<string, Measured[]>(targets.map((t) => [t.name, []]));
  for (const target of targets) await load(`warm-up ${target.name}`, `baselines ${target.name}`, target.child, baselineWrite(key.merchantId), settings.warmupSeconds, headers);
  const ratios = new Map<string, number[]>(targets.map((t) => [t.name, []]));
  for (let pair = 0; pair < settings.pairs; pair++) {
    let bareRps = 0;
    for (const target of targets) {
      const result = await load(`baselines #${pair + 1} ${target.name}`, `baselines ${target.name}`, target.child, baselineWrite(key.merchantId), settings.seconds, headers);
      results.get(target.name)!.push(result);
      if (target.name === 'bare') bareRps = result.rps;
      ratios.get(target.name)!.push(bareRps > 0 ? result.rps / bareRps : NaN);
    }
  }
  for (const other of others) await other.child.stop();
  return targets.map((t) => ({
    name: t.name,
    title: t.title,
    reference: t.reference,
    summary: summarise(results.get(t.name)!),
    ratio: round(median(ratios.get(t.name)!), 3),
  }));
}

interface ScenarioFigures {
  name: string;
  title: string;
  vendcloud: Summary;
  /** The server measured beside vendcloud, pair by pair. */
  reference: Reference;
  /** Its figures (named `bare` before issue 13, when it was always bare node:http). */
  bare: Summary;
  ratio: number;
  ratios: number[];
  /** vendcloud's CPU per request / the reference's, median of the pairs. */
  cpuRatio: number;
  ratioGoal?: number;
  ratioMet?: boolean;
  cpuRatioGoal?: number;
  cpuRatioMet?: boolean;
  p99Met: boolean;
  failed: number;
  exhausted: string[];
}

async function measureScenario(scenario: Scenario, fixture: Parameters<Scenario['streams']>[0], vend: ServerChild, references: Map<Reference, ServerChild>, settings: Settings): Promise<ScenarioFigures> {
  const reference = scenario.reference ?? 'bare';
  const bare = references.get(reference)!;
  log(`scenario ${scenario.name}: ${scenario.title} (against ${reference})`);
  const headers = headersOf(fixture);
  const streams = scenario.streams(fixture);
  const label = (who: string, pair?: number) => `${scenario.name}${pair === undefined ? ' warm-up' : ` #${pair + 1}`} ${who}`;
  const stream = (who: string) => `${scenario.name} ${who}`;
  await load(label('vendcloud'), stream('vendcloud'), vend, streams.vendcloud, settings.warmupSeconds, headers);
  await load(label(reference), stream(reference), bare, streams.baseline, settings.warmupSeconds, headers);
  const vendRuns: Measured[] = [];
  const bareRuns: Measured[] = [];
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  for (let pair = 0; pair < settings.pairs; pair++) {
    const a = await load(label('vendcloud', pair), stream('vendcloud'), vend, streams.vendcloud, settings.seconds, headers);
    const b = await load(label(reference, pair), stream(reference), bare, streams.baseline, settings.seconds, headers);
    vendRuns.push(a);
    bareRuns.push(b);
    ratios.push(b.rps > 0 ? a.rps / b.rps : NaN);
    cpuRatios.push(a.cpuUs / b.cpuUs);
  }
  const vendcloud = summarise(vendRuns);
  const ratio = round(median(ratios), 3);
  const cpuRatio = round(median(cpuRatios), 2);
  const failed = [...failures.entries()].filter(([key]) => key.startsWith(`${scenario.name} `)).reduce((sum, [, f]) => sum + f.failed + f.socketErrors, 0);
  return {
    name: scenario.name,
    title: scenario.title,
    vendcloud,
    reference,
    bare: summarise(bareRuns),
    ratio,
    ratios: ratios.map((r) => round(r, 3)),
    cpuRatio,
    ...(scenario.ratioGoal !== undefined ? { ratioGoal: scenario.ratioGoal, ratioMet: ratio >= scenario.ratioGoal } : {}),
    ...(scenario.cpuRatioGoal !== undefined ? { cpuRatioGoal: scenario.cpuRatioGoal, cpuRatioMet: cpuRatio <= scenario.cpuRatioGoal } : {}),
    p99Met: vendcloud.p99 <= P99_GOAL_MS,
    failed,
    exhausted: streams.exhausted(),
  };
}

// ---------------------------------------------------------------------------------------

interface BulkFigures {
  createMany: { codes: number; ms: number[]; medianMs: number };
  cancelAll: { codes: number; ms: number[]; medianMs: number; rssBeforeMb: number | null; peakRssMb: number | null; peakResetWorked: boolean; goalMs: number; met: boolean };
}

const mb = (bytes: number | undefined) => (bytes === undefined ? null : round(bytes / 1024 / 1024, 1));

async function measureBulk(args: Args): Promise<BulkFigures> {
  const { settings } = args;
  log(`bulk: create ${CREATE_MANY_CODES} codes in one request; cancel-all of ${CANCEL_ALL_CODES} UNUSED codes`);
  const location = freshLocation(args.db, 'bulk');
  const seeded = await withStore(location, async (store) => {
    const merchant = await seedMerchant(store);
    const createTarget = await seedProduct(store, await seedMachine(store, merchant.merchantId), 'Bulk create');
    const cancelTargets: Target[] = [];
    for (let i = 0; i < settings.bulkRepeats; i++) {
      const target = await seedProduct(store, await seedMachine(store, merchant.merchantId), `Cancel all ${i + 1}`);
      await seedCodes(store, target, CANCEL_ALL_CODES, 10_000_000);
      cancelTargets.push(target);
    }
    await analyze(store);
    return { merchant, createTarget, cancelTargets };
  });
  // A server of its own, so its peak memory belongs to the bulk operations alone.
  const vend = await startChild('vendcloud (bulk)', 'vendcloud', vendcloudArgs(location));
  try {
    const headers = headersOf(seeded.merchant);
    const key = seeded.merchant.merchantId;
    const createMs: number[] = [];
    for (let i = 0; i < settings.bulkRepeats; i++) {
      const { ms, body } = await once(vend, createMany(seeded.createTarget, CREATE_MANY_CODES, key), headers);
      if (body.data?.codes?.length !== CREATE_MANY_CODES) throw new Error(`create returned ${body.data?.codes?.length} codes`);
      createMs.push(ms);
      log(`  create ${CREATE_MANY_CODES} codes: ${Math.round(ms)} ms`);
    }
    const cancelMs: number[] = [];
    const rssBefore = vend.rss();
    const peakResetWorked = vend.resetPeakRss();
    for (const target of seeded.cancelTargets) {
      const { ms, body } = await once(vend, cancelAll(target, key), headers);
      if (body.data?.count !== CANCEL_ALL_CODES) throw new Error(`cancel-all cancelled ${body.data?.count} codes`);
      cancelMs.push(ms);
      log(`  cancel-all of ${CANCEL_ALL_CODES} codes: ${Math.round(ms)} ms`);
    }
    const medianCancel = round(median(cancelMs), 0);
    return {
      createMany: { codes: CREATE_MANY_CODES, ms: createMs.map((ms) => round(ms, 0)), medianMs: round(median(createMs), 0) },
      cancelAll: {
        codes: CANCEL_ALL_CODES,
        ms: cancelMs.map((ms) => round(ms, 0)),
        medianMs: medianCancel,
        rssBeforeMb: mb(rssBefore),
        peakRssMb: mb(vend.peakRss()),
        peakResetWorked,
        goalMs: 1500,
        met: medianCancel <= 1500,
      },
    };
  } finally {
    await vend.stop();
  }
}

interface ScaleFigures {
  smallCodes: number;
  largeCodes: number;
  query: { small: Summary; large: Summary; p50Ratio: number; goal: number; met: boolean };
  page: { small: Summary; large: Summary; p50Ratio: number; goal: number; met: boolean };
}

async function measureScale(args: Args): Promise<ScaleFigures> {
  const { settings } = args;
  const sizes = { small: 1_000, large: settings.scaleCodes };
  log(`scale: query p50 with ${sizes.small} vs ${sizes.large} codes in the store`);
  const stores: Record<'small' | 'large', { child: ServerChild; merchant: Credentials; target: Target }> = {} as any;
  for (const size of ['small', 'large'] as const) {
    const location = freshLocation(args.db, `scale-${size}`);
    const seeded = await withStore(location, async (store) => {
      const merchant = await seedMerchant(store);
      const target = await seedQueryMachine(store, merchant.merchantId, sizes[size]);
      await analyze(store);
      return { merchant, target };
    });
    stores[size] = { ...seeded, child: await startChild(`vendcloud (${size} store)`, 'vendcloud', vendcloudArgs(location)) };
  }
  try {
    const measure = async (name: string, build: (target: Target, key: number) => RequestSpec) => {
      const runs = { small: [] as Measured[], large: [] as Measured[] };
      const ratios: number[] = [];
      for (const size of ['small', 'large'] as const) {
        const s = stores[size];
        await load(`scale ${name} warm-up ${size}`, `scale ${name} ${size}`, s.child, () => build(s.target, s.merchant.merchantId), settings.warmupSeconds, headersOf(s.merchant));
      }
      for (let pair = 0; pair < settings.scalePairs; pair++) {
        for (const size of ['small', 'large'] as const) {
          const s = stores[size];
          runs[size].push(await load(`scale ${name} #${pair + 1} ${size}`, `scale ${name} ${size}`, s.child, () => build(s.target, s.merchant.merchantId), settings.seconds, headersOf(s.merchant)));
        }
        ratios.push(runs.large[pair]!.p50 / runs.small[pair]!.p50);
      }
      return { small: summarise(runs.small), large: summarise(runs.large), p50Ratio: round(median(ratios), 2) };
    };
    const query = await measure('query', (t, key) => ({ method: 'POST', path: `${API_PREFIX}/products/${t.productId}/pickup_code`, body: signedBody({ machine_no: t.machineNo }, key) }));
    const page = await measure('page', (t, key) => ({ method: 'POST', path: `${API_PREFIX}/pickup_codes/query`, body: signedBody({ machine_no: t.machineNo, page: '1', per_page: '10' }, key) }));
    return { smallCodes: sizes.small, largeCodes: sizes.large, query: { ...query, goal: 1.3, met: query.p50Ratio <= 1.3 }, page: { ...page, goal: 1.3, met: page.p50Ratio <= 1.3 } };
  } finally {
    for (const s of Object.values(stores)) await s.child.stop();
  }
}

interface MachineLinkFigures {
  cancels: number;
  fromResponse: { p50: number; p99: number; max: number };
  fromRequest: { p50: number; p99: number };
}

/**
 * Cancel → the machine sees the delete: link-latency.js (a server on a SQLite file with its
 * embedded broker, and a simulated machine) cancels codes one by one and times each API
 * response to the machine dropping that code.
 */
async function measureCancelToMachine(cancels: number): Promise<MachineLinkFigures> {
  const script = fileURLToPath(new URL('./link-latency.js', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [script, String(cancels), '--json'], { timeout: 120_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as MachineLinkFigures;
}

function comparisonDeps(args: Args) {
  const { settings } = args;
  const pools = POOL_RATE_CAP * (settings.pairs * settings.seconds + settings.warmupSeconds + 1);
  const pgArgs = [...(args.pgPoolSize ? ['--pg-pool-size', String(args.pgPoolSize)] : []), ...(args.pgWriteBatches ? ['--pg-write-batches', String(args.pgWriteBatches)] : [])];
  return { pgUrl: args.db!, seconds: settings.seconds, warmupSeconds: settings.warmupSeconds, pairs: settings.pairs, pools, log, load, vendcloudArgs, pgArgs };
}

function fleetDeps(args: Args) {
  return { seconds: args.settings.mode === 'quick' ? 5 : 15, machines: args.fleetMachines, log };
}

interface CallbackFigures {
  rounds: number;
  fromConsume: { p50: number; p99: number; max: number };
  fromDeliveryResponse: { p50: number; p99: number; max: number };
  /** From the commit of the machine's result (which queues the callback): the callback's own part. */
  fromResultCommit: { p50: number; p99: number; max: number };
}

/**
 * Consume → delivery → callback received: callback-latency.js (a server with its embedded
 * broker, a simulated machine vending at once, a loopback receiver) times each round from the
 * consume request to the receiver holding the signed result.
 */
async function measureCodeToCallback(rounds: number, db: string | undefined): Promise<CallbackFigures> {
  const script = fileURLToPath(new URL('./callback-latency.js', import.meta.url));
  const args = [script, String(rounds), '--json', ...(db ? ['--db', db] : [])];
  const { stdout } = await promisify(execFile)(process.execPath, args, { timeout: 300_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as CallbackFigures;
}

// ---------------------------------------------------------------------------------------

const REFERENCE_NAMES: Record<Reference, string> = { bare: '(a) bare', 'naive-read': '(d) naive read', 'naive-write': '(e) naive write' };

/** Issue 13's goals that this run measured, each met or not with its figure. */
function goalsTable(scenarios: ScenarioFigures[]): string[] {
  const rows: string[] = [];
  const verdict = (met: boolean | undefined) => (met === undefined ? '—' : met ? 'met' : '**not met**');
  for (const s of scenarios) {
    if (s.reference === 'bare' || s.ratioGoal === undefined) continue;
    const cpu = s.cpuRatioGoal === undefined ? '' : `; CPU ${s.vendcloud.cpuUs}/${s.bare.cpuUs} µs = ×${s.cpuRatio.toFixed(2)} (goal ≤ ${s.cpuRatioGoal}: ${verdict(s.cpuRatioMet)})`;
    rows.push(`| ${s.name} vs ${REFERENCE_NAMES[s.reference]} | RPS ratio ${s.ratio.toFixed(2)} (goal ≥ ${s.ratioGoal}: ${verdict(s.ratioMet)})${cpu} |`);
  }
  const worst = scenarios.reduce((a, s) => (s.vendcloud.p99 > a.p99 ? { p99: s.vendcloud.p99, name: s.name } : a), { p99: 0, name: '' });
  rows.push(`| p99 of every scenario ≤ ${P99_GOAL_MS} ms | worst ${worst.p99} ms (${worst.name}): ${verdict(worst.p99 <= P99_GOAL_MS)} |`);
  return ['| issue 13 goal | this run |', '|---|---|', ...rows, ''];
}

function machineInfo() {
  return { nproc: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', node: process.version, loadavgAtStart: loadavg().map((v) => round(v, 2)) };
}

function markdown(report: any): string {
  const lines: string[] = [];
  const ms = (v: number) => (Number.isFinite(v) ? String(round(v, 1)) : '—');
  const yes = (met: boolean | undefined) => (met === undefined ? '—' : met ? 'met' : '**not met**');
  lines.push(`## vendcloud bench: ${report.mode} run, ${report.store}, ${report.when}`);
  lines.push('');
  lines.push(`nproc ${report.machine.nproc}, ${report.machine.cpu}, Node ${report.machine.node}, load average at start ${report.machine.loadavgAtStart.join(' / ')}, at end ${report.machine.loadavgAtEnd.join(' / ')}.`);
  lines.push(`${CONNECTIONS} connections, ${report.settings.seconds} s per run, ${report.settings.pairs} pair(s) per scenario (vendcloud, then its reference), ${report.settings.warmupSeconds} s warm-up each.`);
  lines.push('Each scenario runs in pairs: vendcloud, then its reference: (a) bare node:http, (d) the naive signed read or (e) the naive signed write with group commit (bench/servers/baseline.ts).');
  lines.push('Ratio = vendcloud RPS / the reference\'s RPS, the median of the pairwise ratios; CPU = the server process\'s user+system time / answers, the figure to read first (the load generator shares the cores and caps RPS, not CPU). Absolute figures are noisy on a shared machine.');
  lines.push('');
  if (report.scenarios.length > 0) {
    lines.push(`| scenario | vendcloud RPS | p50 ms | p99 ms | CPU µs/req | reference | its RPS | its p99 ms | its CPU µs/req | RPS ratio | CPU ratio | p99 ≤ ${P99_GOAL_MS} ms | failed |`);
    lines.push('|---|--:|--:|--:|--:|--|--:|--:|--:|--:|--:|--|--:|');
    for (const s of report.scenarios as ScenarioFigures[]) {
      lines.push(
        `| ${s.title} | ${s.vendcloud.rps} | ${ms(s.vendcloud.p50)} | ${ms(s.vendcloud.p99)} | ${s.vendcloud.cpuUs} | ${REFERENCE_NAMES[s.reference]} | ${s.bare.rps} | ${ms(s.bare.p99)} | ${s.bare.cpuUs} | ${s.ratio.toFixed(3)} | ${s.cpuRatio.toFixed(2)} | ${yes(s.p99Met)} | ${s.failed}${s.exhausted.length ? ` (${s.exhausted.join(', ')} exhausted)` : ''} |`,
      );
    }
    lines.push('');
    lines.push(...goalsTable(report.scenarios as ScenarioFigures[]));
  }
  if (report.baselines) {
    lines.push('| baseline (signed write request) | RPS | p50 ms | p99 ms | CPU µs/req | ratio vs (a) | issue\'s figure |');
    lines.push('|---|--:|--:|--:|--:|--:|--:|');
    for (const b of report.baselines as BaselineFigures[]) {
      lines.push(`| ${b.title} | ${b.summary.rps} | ${ms(b.summary.p50)} | ${ms(b.summary.p99)} | ${b.summary.cpuUs} | ${b.ratio.toFixed(3)} | ${b.reference ?? '—'} |`);
    }
    lines.push('');
  }
  const rows: string[] = [];
  if (report.bulk) {
    const { createMany: c, cancelAll: x } = report.bulk as BulkFigures;
    rows.push(`| create ${c.codes.toLocaleString('en')} codes in one request | ${c.medianMs} ms (runs: ${c.ms.join(', ')}) | — | — |`);
    rows.push(
      `| cancel-all, ${x.codes.toLocaleString('en')} UNUSED codes on one machine | ${x.medianMs} ms (runs: ${x.ms.join(', ')}); server RSS ${x.rssBeforeMb} MB before, peak ${x.peakRssMb} MB${x.peakResetWorked ? ' during cancel-all' : ' since start'} | ≤ 1500 ms | ${yes(x.met)} |`,
    );
  }
  if (report.stall) {
    const s = report.stall as StallFigures;
    const figures = (l: StallFigures['ping']) => `p50 ${ms(l.p50)} ms, p99 ${ms(l.p99)} ms, max ${ms(l.max)} ms (${l.count} requests)`;
    rows.push(`| another merchant's ping during a cancel-all of ${s.codes.toLocaleString('en')} codes (cancel-all: ${s.bulkMs.join(', ')} ms) | ${figures(s.ping)}; its product query ${figures(s.query)} | ping p99 ≤ ${s.goalP99Ms} ms | ${yes(s.met)} |`);
  }
  if (report.purgeStall) {
    const p = report.purgeStall as PurgeStallFigures;
    rows.push(`| another merchant's ping during the housekeeping's purge of ${p.rows.toLocaleString('en')} old callback rows (${p.purgeMs} ms, ${p.rowsPerSecond.toLocaleString('en')} rows/s) | p50 ${ms(p.ping.p50)} ms, p99 ${ms(p.ping.p99)} ms, max ${ms(p.ping.max)} ms (${p.ping.count} requests) | ping p99 ≤ ${p.goalP99Ms} ms | ${yes(p.met)} |`);
  }
  if (report.scale) {
    const s = report.scale as ScaleFigures;
    const n = (v: number) => v.toLocaleString('en');
    rows.push(`| query p50, ${n(s.smallCodes)} → ${n(s.largeCodes)} codes in the store | ${ms(s.query.small.p50)} → ${ms(s.query.large.p50)} ms (×${s.query.p50Ratio}); RPS ${s.query.small.rps} → ${s.query.large.rps} | ≤ ×1.3 | ${yes(s.query.met)} |`);
    rows.push(`| machine-wide page p50, ${n(s.smallCodes)} → ${n(s.largeCodes)} codes on the machine | ${ms(s.page.small.p50)} → ${ms(s.page.large.p50)} ms (×${s.page.p50Ratio}); RPS ${s.page.small.rps} → ${s.page.large.rps} | ≤ ×1.3 | ${yes(s.page.met)} |`);
  }
  if (report.machineLink) {
    const l = report.machineLink as MachineLinkFigures;
    rows.push(`| cancel → machine sees delete (${l.cancels} cancels, from the API response) | p50 ${l.fromResponse.p50} ms, p99 ${l.fromResponse.p99} ms, max ${l.fromResponse.max} ms | ≤ 1000 ms | ${yes(l.fromResponse.max <= 1000)} |`);
  }
  if (report.callbacks) {
    const c = report.callbacks as CallbackFigures;
    rows.push(`| consume → delivery → callback received (${c.rounds} rounds, from the consume request) | p50 ${c.fromConsume.p50} ms, p99 ${c.fromConsume.p99} ms, max ${c.fromConsume.max} ms; from the delivery's answer p50 ${c.fromDeliveryResponse.p50} ms, p99 ${c.fromDeliveryResponse.p99} ms; from the result's commit p50 ${c.fromResultCommit.p50} ms, p99 ${c.fromResultCommit.p99} ms | — | — |`);
  }
  if (rows.length > 0) {
    lines.push('| bulk and scale | figure | goal | met |');
    lines.push('|---|---|---|---|');
    lines.push(...rows);
    lines.push('');
  }
  if (report.storeComparison) lines.push(...storeComparisonRows(report.storeComparison), '');
  if (report.metricsCost) lines.push(...metricsCostRows(report.metricsCost), '');
  if (report.fleet) lines.push(...fleetRows(report.fleet), '');
  if (report.failures.length > 0) {
    lines.push('**Failed requests (the figures above are not valid):**');
    for (const f of report.failures) lines.push(`- ${f.label}: ${f.failed} failed responses, ${f.socketErrors} socket errors/timeouts${f.samples.length ? `; e.g. ${f.samples[0]}` : ''}`);
    lines.push('');
  }
  return lines.join('\n');
}

async function main(): Promise<number> {
  if (process.env.CI_SKIP_BENCH === '1') {
    log('bench: skipped (CI_SKIP_BENCH=1)');
    return 0;
  }
  installCleanup();
  const args = parseArgs(process.argv.slice(2));
  const { settings, groups } = args;
  const machine = machineInfo();
  const store = args.db ? 'PostgreSQL' : 'SQLite (synchronous=FULL)';
  log(`vendcloud bench (${settings.mode}, ${store}): ${[...groups].join(', ')}`);
  const report: any = {
    when: new Date().toISOString(),
    mode: settings.mode,
    store,
    machine,
    settings: { connections: CONNECTIONS, ...settings },
    scenarios: [] as ScenarioFigures[],
  };

  const loadScenarios = SCENARIOS.filter((s) => groups.has(s.name));
  const children: ServerChild[] = [];
  try {
    if (loadScenarios.length > 0 || groups.has('baselines')) {
      const writeSeconds = settings.pairs * settings.seconds + settings.warmupSeconds + 1;
      const pools = { cancel: POOL_RATE_CAP * writeSeconds, consume: POOL_RATE_CAP * writeSeconds, mixCancel: Math.ceil(POOL_RATE_CAP * writeSeconds * 0.25) };
      const location = freshLocation(args.db, 'main');
      const seedStarted = performance.now();
      const fixture = await withStore(location, (store) =>
        seedFixture(store, {
          cancel: groups.has('cancel') ? pools.cancel : 1,
          consume: groups.has('consume') ? pools.consume : 1,
          mixCancel: groups.has('mix') ? pools.mixCancel : 1,
        }),
      );
      log(`seeded in ${Math.round(performance.now() - seedStarted)} ms`);
      const bare = await startChild('bare', 'baseline', ['bare']);
      children.push(bare);
      if (groups.has('baselines')) report.baselines = await measureBaselines(bare, fixture, settings);
      const references = new Map<Reference, ServerChild>([['bare', bare]]);
      const key = String(fixture.merchantId);
      if (loadScenarios.some((s) => s.reference === 'naive-read')) {
        const args = ['naive-read', '--key', key, '--product', String(fixture.query.productId), '--db', scratchFile('naive-read.sqlite')];
        references.set('naive-read', await startChild('naive read', 'baseline', args));
      }
      if (loadScenarios.some((s) => s.reference === 'naive-write')) {
        references.set('naive-write', await startChild('naive write', 'baseline', ['naive-write', '--key', key, '--db', scratchFile('naive-write.sqlite')]));
      }
      for (const [name, child] of references) if (name !== 'bare') children.push(child);
      if (loadScenarios.length > 0) {
        const execArgv = args.profileDir ? ['--cpu-prof', '--cpu-prof-dir', args.profileDir] : [];
        if (args.profileDir) mkdirSync(args.profileDir, { recursive: true });
        const vend = await startChild('vendcloud', 'vendcloud', vendcloudArgs(location), execArgv);
        children.push(vend);
        for (const scenario of loadScenarios) report.scenarios.push(await measureScenario(scenario, fixture, vend, references, settings));
        await vend.stop();
        if (args.profileDir) log(`cpu profile written to ${args.profileDir}`);
      }
      await bare.stop();
    }
    if (groups.has('bulk')) report.bulk = await measureBulk(args);
    if (groups.has('stall')) report.stall = await measureStall(args.db, settings.bulkRepeats, vendcloudArgs, log);
    if (groups.has('purge')) report.purgeStall = await measurePurgeStall(args.db, vendcloudArgs, log);
    if (groups.has('scale')) report.scale = await measureScale(args);
    if (groups.has('pg-vs-sqlite') && args.db) report.storeComparison = await measureStoreComparison(comparisonDeps(args));
    if (groups.has('fleet')) report.fleet = await measureFleet(fleetDeps(args));
    if (groups.has('metrics')) report.metricsCost = await measureMetricsCost({ ...comparisonDeps(args), pgUrl: args.db });
    if (groups.has('bulk')) report.machineLink = await measureCancelToMachine(settings.mode === 'quick' ? 200 : 1000);
    if (groups.has('bulk')) report.callbacks = await measureCodeToCallback(settings.mode === 'quick' ? 100 : 300, args.db);
  } finally {
    for (const child of children) await child.stop();
    await dropSchemas();
  }
  report.machine.loadavgAtEnd = loadavg().map((v) => round(v, 2));
  report.failures = [...failures.entries()].map(([label, f]) => ({ label, ...f }));

  const resultsDir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(`${resultsDir}latest.json`, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : `${markdown(report)}\n`);
  log(`results written to ${resultsDir}latest.json`);
  const failedResponses = report.failures.reduce((sum: number, f: Failures) => sum + f.failed, 0);
  if (failedResponses > 0) {
    log(`bench: ${failedResponses} responses were errors; a benchmark of failing requests is not a benchmark`);
    return 1;
  }
  return 0;
}

process.exit(await main());
