/**
 * The load scenarios and the baselines block, on one seeded store: vendcloud and each
 * scenario's reference (references.ts) run pair by pair on the same request stream; the
 * baselines block runs (a), (b) and (c) alternately on one fixed signed write.
 */
import type { Args } from './args.js';
import { failedUnder, headersOf, log, summarise, totalCpuUs, type Contestant } from './measure.js';
import { alternate, pairedRatio } from './pairs.js';
import { applicationName, backendProbe, namedUrl } from './pg-backends.js';
import { cpuProfileArgv, startChild, type ServerChild } from './processes.js';
import { referenceOf, startReference, type Reference, type RunningServer } from './references.js';
import type { BaselineFigures, ScenarioFigures, Settings } from './report.js';
import { baselineWrite, SCENARIOS, type Scenario } from './scenarios.js';
import { freshLocation, scratchFile, seedFixture, vendcloudArgs, withStore, type Fixture, type Location } from './seed.js';

/** Pools are sized for this many vendcloud writes a second, far above what 2 cores reach. */
export const POOL_RATE_CAP = 20_000;

/** Codes a write pool needs to last a scenario's runs at POOL_RATE_CAP. */
export function poolSize(settings: Settings): number {
  return POOL_RATE_CAP * (settings.pairs * settings.seconds + settings.warmupSeconds + 1);
}

async function measureBaselines(bare: ServerChild, fixture: Fixture, settings: Settings): Promise<BaselineFigures[]> {
  log('baselines: (a) bare node:http, (b) Fastify, (c) naive signed write at FULL and NORMAL');
  const naiveArgs = (sync: string) => ['naive', '--synchronous', sync, '--key', String(fixture.merchantId), '--db', scratchFile(`naive-${sync}.sqlite`)];
  const others = [
    { name: 'fastify', title: '(b) Fastify, one route', issueRatio: 0.59, child: await startChild('fastify', 'baseline', ['fastify']) },
    { name: 'naive-full', title: '(c) naive signed write, synchronous=FULL', issueRatio: 0.15, child: await startChild('naive FULL', 'baseline', naiveArgs('FULL')) },
    { name: 'naive-normal', title: '(c) naive signed write, synchronous=NORMAL', issueRatio: 0.29, child: await startChild('naive NORMAL', 'baseline', naiveArgs('NORMAL')) },
  ];
  try {
    const servers = [{ name: 'bare', title: '(a) bare node:http', issueRatio: 1, child: bare }, ...others];
    const contestants = servers.map((s): Contestant => ({ name: s.name, child: s.child, source: baselineWrite(fixture.merchantId), headers: headersOf(fixture) }));
    const runs = await alternate('baselines', contestants, settings);
    return servers.map((s, i) => ({ name: s.name, title: s.title, issueRatio: s.issueRatio, summary: summarise(runs[i]!), ratio: pairedRatio(runs[i]!, runs[0]!, (m) => m.rps).ratio }));
  } finally {
    for (const other of others) await other.child.stop();
  }
}

async function measureScenario(scenario: Scenario, fixture: Fixture, vend: RunningServer, reference: Reference, theirs: RunningServer, settings: Settings): Promise<ScenarioFigures> {
  log(`scenario ${scenario.name}: ${scenario.title} (against ${reference})`);
  const headers = headersOf(fixture);
  const streams = scenario.streams(fixture);
  const contestants: Contestant[] = [
    { name: 'vendcloud', ...vend, source: streams.vendcloud, headers },
    { name: reference, ...theirs, source: streams.baseline, headers },
  ];
  const [ours, theirsRuns] = await alternate(scenario.name, contestants, settings);
  const { ratio, ratios } = pairedRatio(ours!, theirsRuns!, (m) => m.rps);
  return {
    name: scenario.name,
    title: scenario.title,
    vendcloud: summarise(ours!),
    reference,
    referenceFigures: summarise(theirsRuns!),
    ratio,
    ratios,
    cpuRatio: pairedRatio(ours!, theirsRuns!, totalCpuUs, 2).ratio,
    failed: failedUnder(`${scenario.name} `),
    exhausted: streams.exhausted(),
  };
}

/** vendcloud on a fresh copy of the run's store; on PostgreSQL, with its backends found by name. */
async function startVendcloud(args: Args, location: Location): Promise<RunningServer> {
  const execArgv = cpuProfileArgv(args.profileDir);
  if (!args.db) return { child: await startChild('vendcloud', 'vendcloud', vendcloudArgs(location), execArgv) };
  const app = applicationName('vendcloud');
  const child = await startChild('vendcloud', 'vendcloud', vendcloudArgs({ ...location, db: namedUrl(args.db, app) }), execArgv);
  return { child, backends: backendProbe(args.db, app) };
}

/** The baselines block (when asked) and the load scenarios asked, on one seeded store. */
export async function measureLoadScenarios(args: Args): Promise<{ baselines?: BaselineFigures[]; scenarios: ScenarioFigures[] }> {
  const { settings, groups } = args;
  const scenarios = SCENARIOS.filter((s) => groups.has(s.name));
  const pool = poolSize(settings);
  const location = freshLocation(args.db, 'main');
  const seedStarted = performance.now();
  const fixture = await withStore(location, (store) =>
    seedFixture(store, { cancel: groups.has('cancel') ? pool : 1, consume: groups.has('consume') ? pool : 1, mixCancel: groups.has('mix') ? Math.ceil(pool * 0.25) : 1 }),
  );
  log(`seeded in ${Math.round(performance.now() - seedStarted)} ms`);
  const references = new Map<Reference, RunningServer>();
  const servers: ServerChild[] = [];
  try {
    const bare = await startReference('bare', fixture, args.db);
    references.set('bare', bare);
    servers.push(bare.child);
    const baselines = groups.has('baselines') ? await measureBaselines(bare.child, fixture, settings) : undefined;
    for (const reference of new Set(scenarios.map((s) => referenceOf(s, args.db)))) {
      if (references.has(reference)) continue;
      const started = await startReference(reference, fixture, args.db);
      references.set(reference, started);
      servers.push(started.child);
    }
    const figures: ScenarioFigures[] = [];
    if (scenarios.length > 0) {
      const vend = await startVendcloud(args, location);
      servers.push(vend.child);
      for (const scenario of scenarios) {
        const reference = referenceOf(scenario, args.db);
        figures.push(await measureScenario(scenario, fixture, vend, reference, references.get(reference)!, settings));
      }
      await vend.child.stop();
      if (args.profileDir) log(`cpu profile written to ${args.profileDir}`);
    }
    return { ...(baselines ? { baselines } : {}), scenarios: figures };
  } finally {
    for (const server of servers) await server.stop();
  }
}
