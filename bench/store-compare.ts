/**
 * PostgreSQL against SQLite in one run (issue 13, item 3): the same scenarios (query and
 * cancel) on a vendcloud child on a SQLite file and one on the given PostgreSQL, each seeded
 * alike, run alternately (SQLite, PostgreSQL, SQLite, …) by the same generator. The figure
 * is the median of the pairwise ratios PostgreSQL RPS / SQLite RPS. Next to it, the CPU
 * each request cost: the server's (user + system time / answers) and, on PostgreSQL, its
 * backends' too, since PostgreSQL shares the same cores. On a busy machine the RPS ratio
 * swings; CPU per request does not. Its goals are in goals.ts.
 */
import { headersOf, summarise, type Contestant } from './measure.js';
import { alternate, pairedRatio, type Rounds } from './pairs.js';
import { applicationName, backendProbe, namedUrl } from './pg-backends.js';
import { startChild, type ServerChild } from './processes.js';
import type { Summary } from './report.js';
import { SCENARIOS } from './scenarios.js';
import { freshLocation, seedFixture, vendcloudArgs, withStore, type Fixture } from './seed.js';

export interface StoreComparisonFigures {
  scenarios: Array<{
    name: string;
    title: string;
    sqlite: Summary;
    postgres: Summary;
    ratio: number;
    ratios: number[];
  }>;
}

/** The scenarios compared, in order. */
export const COMPARED_SCENARIOS = ['query', 'cancel'];

export interface ComparisonDeps {
  pgUrl: string;
  rounds: Rounds;
  /** Codes to seed in the cancel pool. */
  pools: number;
  log: (line: string) => void;
  /** Extra arguments of the PostgreSQL child, e.g. `--pg-pool-size N`. */
  pgArgs: string[];
}

export async function measureStoreComparison(deps: ComparisonDeps): Promise<StoreComparisonFigures> {
  deps.log('PostgreSQL vs SQLite: query and cancel, alternately, same generator');
  const app = applicationName('compare-pg');
  const pgLocation = freshLocation(deps.pgUrl, 'compare-pg');
  const stores = [
    { name: 'sqlite', location: freshLocation(undefined, 'compare-sqlite'), served: undefined, extra: [] as string[] },
    { name: 'postgres', location: pgLocation, served: { ...pgLocation, db: namedUrl(deps.pgUrl, app) }, extra: deps.pgArgs },
  ];
  const seeded: Array<{ name: string; fixture: Fixture; child: ServerChild }> = [];
  try {
    for (const store of stores) {
      const fixture = await withStore(store.location, (s) => seedFixture(s, { cancel: deps.pools, consume: 1, mixCancel: 1 }));
      const args = [...vendcloudArgs(store.served ?? store.location), ...store.extra];
      seeded.push({ name: store.name, fixture, child: await startChild(`vendcloud ${store.name}`, 'vendcloud', args) });
    }
    const figures: StoreComparisonFigures['scenarios'] = [];
    for (const name of COMPARED_SCENARIOS) {
      const scenario = SCENARIOS.find((s) => s.name === name)!;
      const contestants: Contestant[] = seeded.map((s) => ({
        name: s.name,
        child: s.child,
        source: scenario.streams(s.fixture).vendcloud,
        headers: headersOf(s.fixture),
        ...(s.name === 'postgres' ? { backends: backendProbe(deps.pgUrl, app) } : {}),
      }));
      const [sqlite, postgres] = await alternate(`compare ${name}`, contestants, deps.rounds);
      const { ratio, ratios } = pairedRatio(postgres!, sqlite!, (m) => m.rps);
      figures.push({ name, title: scenario.title, sqlite: summarise(sqlite!), postgres: summarise(postgres!), ratio, ratios });
    }
    return { scenarios: figures };
  } finally {
    for (const s of seeded) await s.child.stop();
  }
}

export function storeComparisonRows(figures: StoreComparisonFigures): string[] {
  const lines = [
    '| PostgreSQL vs SQLite, same run | SQLite: RPS, p50, p99; server CPU/request | PostgreSQL: RPS, p50, p99; server + backends CPU/request | PG / SQLite RPS |',
    '|---|--:|--:|--:|',
  ];
  for (const s of figures.scenarios) {
    const { sqlite: a, postgres: b } = s;
    lines.push(`| ${s.title} | ${a.rps}, ${a.p50} ms, ${a.p99} ms; ${a.cpuUs} µs | ${b.rps}, ${b.p50} ms, ${b.p99} ms; ${b.cpuUs} + ${b.backendCpuUs ?? '—'} µs | ${s.ratio.toFixed(3)} (pairs: ${s.ratios.join(', ')}) |`);
  }
  return lines;
}
