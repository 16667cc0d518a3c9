/**
 * PostgreSQL against SQLite in one run (issue 13, item 3): the same scenarios (query and
 * cancel) on a vendcloud child on a SQLite file and one on the given PostgreSQL, each seeded
 * alike, run alternately (SQLite, PostgreSQL, SQLite, …) by the same generator. The figure
 * is the median of the pairwise ratios PostgreSQL RPS / SQLite RPS. Next to it, the CPU
 * each request cost: the server's (user + system time / answers) and, on PostgreSQL, its
 * backends' too (the connections carrying the child's application_name), since PostgreSQL
 * shares the same cores. On a busy machine the RPS ratio swings; CPU per request does not.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { median, type LoadResult, type RequestSource } from './load.js';
import { startChild, type ServerChild } from './processes.js';
import { SCENARIOS } from './scenarios.js';
import { freshLocation, seedFixture, withStore, type Fixture, type Location } from './seed.js';

export interface StoreComparisonFigures {
  scenarios: Array<{
    name: string;
    title: string;
    sqlite: { rps: number; p50: number; p99: number; cpuUs: number };
    postgres: { rps: number; p50: number; p99: number; cpuUs: number; backendCpuUs: number };
    ratio: number;
    ratios: number[];
    goal: number;
    met: boolean;
  }>;
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

const TICK_US = 1_000_000 / 100;

/** User + system time of a process, µs (clock ticks of 10 ms). */
function cpuUs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_US;
  } catch {
    return 0;
  }
}

/** CPU so far of each PostgreSQL backend serving the child: the connections that carry its application_name. */
async function backendsCpuUs(url: string, applicationName: string): Promise<Map<number, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [applicationName]);
    return new Map(rows.map((row) => [row.pid, cpuUs(row.pid)]));
  } finally {
    await client.end();
  }
}

/** What the backends spent between two readings (a backend opened meanwhile counts whole; one closed meanwhile is lost). */
function backendsSpent(before: Map<number, number>, after: Map<number, number>): number {
  let spent = 0;
  for (const [pid, cpu] of after) spent += cpu - (before.get(pid) ?? 0);
  return spent;
}

const headersOf = (f: Fixture) => ({ appid: f.appid, appsecret: f.appSecret });
const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

export async function measureStoreComparison(deps: ComparisonDeps): Promise<StoreComparisonFigures> {
  deps.log('PostgreSQL vs SQLite: query and cancel, alternately, same generator');
  const stores = [
    { name: 'sqlite', location: freshLocation(undefined, 'compare-sqlite'), extra: [] as string[] },
    { name: 'postgres', location: freshLocation(deps.pgUrl, 'compare-pg'), extra: deps.pgArgs },
  ];
  const applicationName = `vc-compare-${process.pid}`;
  const named = new URL(deps.pgUrl);
  named.searchParams.set('application_name', applicationName);
  const pgLocation = { ...stores[1]!.location, db: named.toString() };
  const seeded: Array<{ name: string; fixture: Fixture; child: ServerChild }> = [];
  try {
    for (const store of stores) {
      const fixture = await withStore(store.location, (s) => seedFixture(s, { cancel: deps.pools, consume: 1, mixCancel: 1 }));
      const served = store.name === 'postgres' ? pgLocation : store.location;
      seeded.push({ name: store.name, fixture, child: await startChild(`vendcloud ${store.name}`, 'vendcloud', [...deps.vendcloudArgs(served), ...store.extra]) });
    }
    const figures: StoreComparisonFigures['scenarios'] = [];
    for (const name of Object.keys(PG_GOALS)) {
      const scenario = SCENARIOS.find((s) => s.name === name)!;
      const streams = seeded.map((s) => ({ ...s, source: scenario.streams(s.fixture).vendcloud }));
      for (const s of streams) await deps.load(`${name} warm-up ${s.name}`, `compare ${name} ${s.name}`, s.child, s.source, deps.warmupSeconds, headersOf(s.fixture));
      const runs = new Map<string, LoadResult[]>(streams.map((s) => [s.name, []]));
      const cpu = new Map<string, { server: number; backends: number }>(streams.map((s) => [s.name, { server: 0, backends: 0 }]));
      const ratios: number[] = [];
      for (let pair = 0; pair < deps.pairs; pair++) {
        for (const s of streams) {
          const backends = () => (s.name === 'postgres' ? backendsCpuUs(deps.pgUrl, applicationName) : Promise.resolve(new Map<number, number>()));
          const [server0, backends0] = [cpuUs(s.child.pid), await backends()];
          runs.get(s.name)!.push(await deps.load(`${name} #${pair + 1} ${s.name}`, `compare ${name} ${s.name}`, s.child, s.source, deps.seconds, headersOf(s.fixture)));
          const spent = cpu.get(s.name)!;
          spent.server += cpuUs(s.child.pid) - server0;
          spent.backends += backendsSpent(backends0, await backends());
        }
        const [sqlite, postgres] = [runs.get('sqlite')!.at(-1)!, runs.get('postgres')!.at(-1)!];
        ratios.push(sqlite.rps > 0 ? postgres.rps / sqlite.rps : NaN);
      }
      const answers = (who: string) => runs.get(who)!.reduce((sum, r) => sum + r.requests, 0) || 1;
      const perRequest = (who: string, which: 'server' | 'backends') => Math.round(cpu.get(who)![which] / answers(who));
      const summary = (results: LoadResult[]) => ({ rps: Math.round(median(results.map((r) => r.rps))), p50: median(results.map((r) => r.p50)), p99: median(results.map((r) => r.p99)) });
      const ratio = round(median(ratios));
      figures.push({
        name,
        title: scenario.title,
        sqlite: { ...summary(runs.get('sqlite')!), cpuUs: perRequest('sqlite', 'server') },
        postgres: { ...summary(runs.get('postgres')!), cpuUs: perRequest('postgres', 'server'), backendCpuUs: perRequest('postgres', 'backends') },
        ratio,
        ratios: ratios.map((r) => round(r)),
        goal: PG_GOALS[name]!,
        met: ratio >= PG_GOALS[name]!,
      });
    }
    return { scenarios: figures, pgPoolSize: 'default' };
  } finally {
    for (const s of seeded) await s.child.stop();
  }
}

export function storeComparisonRows(figures: StoreComparisonFigures): string[] {
  const lines = [
    '| PostgreSQL vs SQLite, same run | SQLite: RPS, p50, p99; server CPU/request | PostgreSQL: RPS, p50, p99; server + backends CPU/request | PG / SQLite RPS | goal |',
    '|---|--:|--:|--:|--|',
  ];
  for (const s of figures.scenarios) {
    const { sqlite: a, postgres: b } = s;
    lines.push(
      `| ${s.title} | ${a.rps}, ${a.p50} ms, ${a.p99} ms; ${a.cpuUs} µs | ${b.rps}, ${b.p50} ms, ${b.p99} ms; ${b.cpuUs} + ${b.backendCpuUs} µs | ${s.ratio.toFixed(3)} (pairs: ${s.ratios.join(', ')}) | ≥ ${s.goal}: ${s.met ? 'met' : '**not met**'} |`,
    );
  }
  return lines;
}
