/**
 * PostgreSQL against SQLite in one run (issue 13, item 3): the same scenarios (query and
 * cancel) on a vendcloud child on a SQLite file and one on the given PostgreSQL, each seeded
 * alike, run alternately (SQLite, PostgreSQL, SQLite, …) by the same generator. The figure
 * is the median of the pairwise ratios PostgreSQL RPS / SQLite RPS.
 */
import { median, type LoadResult, type RequestSource } from './load.js';
import { startChild, type ServerChild } from './processes.js';
import { SCENARIOS } from './scenarios.js';
import { freshLocation, seedFixture, withStore, type Fixture, type Location } from './seed.js';

export interface StoreComparisonFigures {
  scenarios: Array<{ name: string; title: string; sqlite: { rps: number; p50: number; p99: number }; postgres: { rps: number; p50: number; p99: number }; ratio: number; ratios: number[]; goal: number; met: boolean }>;
  pgPoolSize: number | 'default';
}

/** Issue 13's goals: PostgreSQL's RPS at least this share of SQLite's, same run. */
export const PG_GOALS: Record<string, number> = { query: 0.6, cancel: 0.5 };

export interface ComparisonDeps {
  pgUrl: string;
  seconds: number;
  warmupSeconds: number;
  pairs: number;
  pools: number;
  log: (line: string) => void;
  load: (label: string, stream: string, child: ServerChild, source: RequestSource, seconds: number, headers: Record<string, string>) => Promise<LoadResult>;
  vendcloudArgs: (location: Location) => string[];
  /** Extra arguments of the PostgreSQL child, e.g. `--pg-pool-size N`. */
  pgArgs: string[];
}

const headersOf = (f: Fixture) => ({ appid: f.appid, appsecret: f.appSecret });
const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

export async function measureStoreComparison(deps: ComparisonDeps): Promise<StoreComparisonFigures> {
  deps.log('PostgreSQL vs SQLite: query and cancel, alternately, same generator');
  const stores = [
    { name: 'sqlite', location: freshLocation(undefined, 'compare-sqlite'), extra: [] as string[] },
    { name: 'postgres', location: freshLocation(deps.pgUrl, 'compare-pg'), extra: deps.pgArgs },
  ];
  const seeded: Array<{ name: string; fixture: Fixture; child: ServerChild }> = [];
  try {
    for (const store of stores) {
      const fixture = await withStore(store.location, (s) => seedFixture(s, { cancel: deps.pools, consume: 1, mixCancel: 1 }));
      seeded.push({ name: store.name, fixture, child: await startChild(`vendcloud ${store.name}`, 'vendcloud', [...deps.vendcloudArgs(store.location), ...store.extra]) });
    }
    const figures: StoreComparisonFigures['scenarios'] = [];
    for (const name of Object.keys(PG_GOALS)) {
      const scenario = SCENARIOS.find((s) => s.name === name)!;
      const streams = seeded.map((s) => ({ ...s, source: scenario.streams(s.fixture).vendcloud }));
      for (const s of streams) await deps.load(`${name} warm-up ${s.name}`, `compare ${name} ${s.name}`, s.child, s.source, deps.warmupSeconds, headersOf(s.fixture));
      const runs = new Map<string, LoadResult[]>(streams.map((s) => [s.name, []]));
      const ratios: number[] = [];
      for (let pair = 0; pair < deps.pairs; pair++) {
        for (const s of streams) runs.get(s.name)!.push(await deps.load(`${name} #${pair + 1} ${s.name}`, `compare ${name} ${s.name}`, s.child, s.source, deps.seconds, headersOf(s.fixture)));
        const [sqlite, postgres] = [runs.get('sqlite')!.at(-1)!, runs.get('postgres')!.at(-1)!];
        ratios.push(sqlite.rps > 0 ? postgres.rps / sqlite.rps : NaN);
      }
      const summary = (results: LoadResult[]) => ({ rps: Math.round(median(results.map((r) => r.rps))), p50: median(results.map((r) => r.p50)), p99: median(results.map((r) => r.p99)) });
      const ratio = round(median(ratios));
      figures.push({ name, title: scenario.title, sqlite: summary(runs.get('sqlite')!), postgres: summary(runs.get('postgres')!), ratio, ratios: ratios.map((r) => round(r)), goal: PG_GOALS[name]!, met: ratio >= PG_GOALS[name]! });
    }
    return { scenarios: figures, pgPoolSize: 'default' };
  } finally {
    for (const s of seeded) await s.child.stop();
  }
}

export function storeComparisonRows(figures: StoreComparisonFigures): string[] {
  const lines = ['| PostgreSQL vs SQLite, same run | SQLite RPS, p50, p99 | PostgreSQL RPS, p50, p99 | PG / SQLite | goal |', '|---|--:|--:|--:|--|'];
  for (const s of figures.scenarios) {
    lines.push(`| ${s.title} | ${s.sqlite.rps}, ${s.sqlite.p50} ms, ${s.sqlite.p99} ms | ${s.postgres.rps}, ${s.postgres.p50} ms, ${s.postgres.p99} ms | ${s.ratio.toFixed(3)} (pairs: ${s.ratios.join(', ')}) | ≥ ${s.goal}: ${s.met ? 'met' : '**not met**'} |`);
  }
  return lines;
}
