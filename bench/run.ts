/**
 * `npm run bench`: vendcloud against baselines measured in the same run, on the same
 * cores, by the same load generator. This machine is shared and noisy, so absolute figures
 * mean little; the figures that count are ratios of runs made back to back (A B A B …,
 * pairs.ts), and the CPU each request cost.
 *
 * Flags (args.ts): --quick (about a minute), --scenario NAME[,NAME] (repeatable), --json,
 * --db postgres://… (bench vendcloud on PostgreSQL, against (f) and (g)), --seconds N,
 * --pairs N, --profile DIR (vendcloud's child in the load scenarios and in bulk runs with
 * --cpu-prof, its profile written to DIR), --pg-pool-size N and --pg-write-batches N (the
 * PostgreSQL child's, in pg-vs-sqlite), --fleet-machines N (fleet; 2,000 unless given).
 * `--scenario metrics`: the Prometheus metrics on vs off. The report (report.ts) goes to
 * bench/results/latest.json; its goals (goals.ts) are marked met or not.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs, type Args } from './args.js';
import { measureBulk, measureCancelToMachine, measureCodeToCallback, measureScale } from './bulk.js';
import { measureFleet } from './fleet.js';
import { judge } from './goals.js';
import { measureLoadScenarios, poolSize } from './load-scenarios.js';
import { markdown } from './markdown.js';
import { CONNECTIONS, failuresSoFar, log, round } from './measure.js';
import { measureMetricsCost } from './metrics-cost.js';
import { installCleanup } from './processes.js';
import { measurePurgeStall } from './purge-stall.js';
import type { BenchReport } from './report.js';
import { SCENARIOS } from './scenarios.js';
import { dropSchemas, vendcloudArgs } from './seed.js';
import { measureStall } from './stall.js';
import { measureStoreComparison } from './store-compare.js';

type Figures = Omit<BenchReport, 'goals' | 'failures'>;

/** Runs every group asked, in the order of the report, filling its figures in. */
async function measure(args: Args, report: Figures): Promise<void> {
  const { settings, groups } = args;
  const rounds = { warmupSeconds: settings.warmupSeconds, seconds: settings.seconds, pairs: settings.pairs };
  const linkRuns = settings.mode === 'quick' ? { cancels: 200, rounds: 100 } : { cancels: 1000, rounds: 300 };
  if (groups.has('baselines') || SCENARIOS.some((s) => groups.has(s.name))) Object.assign(report, await measureLoadScenarios(args));
  if (groups.has('bulk')) report.bulk = await measureBulk(args);
  if (groups.has('stall')) report.stall = await measureStall(args.db, settings.bulkRepeats, vendcloudArgs, log);
  if (groups.has('purge')) report.purgeStall = await measurePurgeStall(args.db, vendcloudArgs, log);
  if (groups.has('scale')) report.scale = await measureScale(args);
  if (groups.has('pg-vs-sqlite') && args.db) {
    const pgArgs = [...(args.pgPoolSize ? ['--pg-pool-size', String(args.pgPoolSize)] : []), ...(args.pgWriteBatches ? ['--pg-write-batches', String(args.pgWriteBatches)] : [])];
    report.storeComparison = await measureStoreComparison({ pgUrl: args.db, rounds, pools: poolSize(settings), log, pgArgs });
  }
  if (groups.has('fleet')) report.fleet = await measureFleet({ seconds: settings.mode === 'quick' ? 5 : 15, machines: args.fleetMachines, log });
  if (groups.has('metrics')) report.metricsCost = await measureMetricsCost({ pgUrl: args.db, rounds, pools: poolSize(settings), log });
  if (groups.has('bulk')) report.machineLink = await measureCancelToMachine(linkRuns.cancels);
  if (groups.has('bulk')) report.callbacks = await measureCodeToCallback(linkRuns.rounds, args.db);
}

function writeReport(report: BenchReport, json: boolean): void {
  const resultsDir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(`${resultsDir}latest.json`, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `${markdown(report)}\n`);
  log(`results written to ${resultsDir}latest.json`);
}

async function main(): Promise<number> {
  if (process.env.CI_SKIP_BENCH === '1') {
    log('bench: skipped (CI_SKIP_BENCH=1)');
    return 0;
  }
  installCleanup();
  const args = parseArgs(process.argv.slice(2));
  const store = args.db ? 'PostgreSQL' : 'SQLite (synchronous=FULL)';
  log(`vendcloud bench (${args.settings.mode}, ${store}): ${[...args.groups].join(', ')}`);
  const figures: Figures = {
    when: new Date().toISOString(),
    mode: args.settings.mode,
    store,
    storeKind: args.db ? 'postgres' : 'sqlite',
    machine: { nproc: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', node: process.version, loadavgAtStart: loadavg().map((v) => round(v, 2)) },
    settings: { connections: CONNECTIONS, ...args.settings },
    scenarios: [],
  };
  try {
    await measure(args, figures);
  } finally {
    await dropSchemas();
  }
  figures.machine.loadavgAtEnd = loadavg().map((v) => round(v, 2));
  const failures = failuresSoFar();
  const report: BenchReport = { ...figures, goals: judge({ ...figures, failures }), failures };
  writeReport(report, args.json);
  const failedResponses = failures.reduce((sum, f) => sum + f.failed, 0);
  if (failedResponses > 0) {
    log(`bench: ${failedResponses} responses were errors; a benchmark of failing requests is not a benchmark`);
    return 1;
  }
  return 0;
}

process.exit(await main());
