/**
 * What the Prometheus metrics cost per request (issue 22): the same scenarios (query and
 * cancel) on two vendcloud children on the run's store, seeded alike, one with
 * `--metrics-port` and one without, run alternately (off, on, off, …) by the same generator.
 * The figures: the median of the pairwise ratios RPS on / RPS off, and each child's CPU per
 * answer (user + system time / answers), whose difference is the metrics' own cost. Then the
 * time of a scrape of the child with metrics, its backlog read from the store included.
 */
import { createServer } from 'node:net';
import { median, type LoadResult, type RequestSource } from './load.js';
import { startChild, type ServerChild } from './processes.js';
import { SCENARIOS } from './scenarios.js';
import { freshLocation, seedFixture, withStore, type Fixture, type Location } from './seed.js';

export interface MetricsCostFigures {
  scenarios: Array<{
    name: string;
    title: string;
    off: { rps: number; p99: number; cpuUs: number };
    on: { rps: number; p99: number; cpuUs: number };
    ratio: number;
    ratios: number[];
  }>;
  /** Milliseconds of one GET /metrics, median of SCRAPES, after the load. */
  scrapeMs: number;
  scrapeBytes: number;
}

export interface MetricsCostDeps {
  pgUrl: string | undefined;
  seconds: number;
  warmupSeconds: number;
  pairs: number;
  pools: number;
  log: (line: string) => void;
  load: (label: string, stream: string, child: ServerChild, source: RequestSource, seconds: number, headers: Record<string, string>) => Promise<LoadResult>;
  vendcloudArgs: (location: Location) => string[];
}

const SCENARIO_NAMES = ['query', 'cancel'];
const SCRAPES = 9;

const headersOf = (f: Fixture) => ({ appid: f.appid, appsecret: f.appSecret });
const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function scrapeTimes(url: string): Promise<{ ms: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < SCRAPES; i++) {
    const started = performance.now();
    const text = await (await fetch(url)).text();
    times.push(performance.now() - started);
    bytes = text.length;
  }
  return { ms: round(median(times), 2), bytes };
}

export async function measureMetricsCost(deps: MetricsCostDeps): Promise<MetricsCostFigures> {
  deps.log('metrics on vs off: query and cancel, alternately, same generator');
  const metricsPort = await freePort();
  const variants = [
    { name: 'off', location: freshLocation(deps.pgUrl, 'metrics-off'), extra: [] as string[] },
    { name: 'on', location: freshLocation(deps.pgUrl, 'metrics-on'), extra: ['--metrics-port', String(metricsPort)] },
  ];
  const seeded: Array<{ name: string; fixture: Fixture; child: ServerChild }> = [];
  try {
    for (const variant of variants) {
      const fixture = await withStore(variant.location, (s) => seedFixture(s, { cancel: deps.pools, consume: 1, mixCancel: 1 }));
      seeded.push({ name: variant.name, fixture, child: await startChild(`vendcloud metrics ${variant.name}`, 'vendcloud', [...deps.vendcloudArgs(variant.location), ...variant.extra]) });
    }
    const figures: MetricsCostFigures['scenarios'] = [];
    for (const name of SCENARIO_NAMES) {
      const scenario = SCENARIOS.find((s) => s.name === name)!;
      const streams = seeded.map((s) => ({ ...s, source: scenario.streams(s.fixture).vendcloud }));
      for (const s of streams) await deps.load(`${name} warm-up metrics ${s.name}`, `metrics ${name} ${s.name}`, s.child, s.source, deps.warmupSeconds, headersOf(s.fixture));
      const runs = new Map<string, LoadResult[]>(streams.map((s) => [s.name, []]));
      const cpu = new Map<string, number>(streams.map((s) => [s.name, 0]));
      const ratios: number[] = [];
      for (let pair = 0; pair < deps.pairs; pair++) {
        for (const s of streams) {
          const before = s.child.cpuSeconds() ?? 0;
          runs.get(s.name)!.push(await deps.load(`${name} #${pair + 1} metrics ${s.name}`, `metrics ${name} ${s.name}`, s.child, s.source, deps.seconds, headersOf(s.fixture)));
          cpu.set(s.name, cpu.get(s.name)! + ((s.child.cpuSeconds() ?? 0) - before));
        }
        const [off, on] = [runs.get('off')!.at(-1)!, runs.get('on')!.at(-1)!];
        ratios.push(off.rps > 0 ? on.rps / off.rps : NaN);
      }
      const summary = (who: string) => {
        const results = runs.get(who)!;
        const answers = results.reduce((sum, r) => sum + r.requests, 0) || 1;
        return { rps: Math.round(median(results.map((r) => r.rps))), p99: median(results.map((r) => r.p99)), cpuUs: Math.round((cpu.get(who)! * 1e6) / answers) };
      };
      figures.push({ name, title: scenario.title, off: summary('off'), on: summary('on'), ratio: round(median(ratios)), ratios: ratios.map((r) => round(r)) });
    }
    const scrape = await scrapeTimes(`http://127.0.0.1:${metricsPort}/metrics`);
    return { scenarios: figures, scrapeMs: scrape.ms, scrapeBytes: scrape.bytes };
  } finally {
    for (const s of seeded) await s.child.stop();
  }
}

export function metricsCostRows(figures: MetricsCostFigures): string[] {
  const lines = [
    '| metrics on vs off, same run | off: RPS, p99; CPU/request | on: RPS, p99; CPU/request | CPU the metrics add per request | on / off RPS |',
    '|---|--:|--:|--:|--:|',
  ];
  for (const s of figures.scenarios) {
    lines.push(
      `| ${s.title} | ${s.off.rps}, ${s.off.p99} ms; ${s.off.cpuUs} µs | ${s.on.rps}, ${s.on.p99} ms; ${s.on.cpuUs} µs | ${s.on.cpuUs - s.off.cpuUs} µs | ${s.ratio.toFixed(3)} (pairs: ${s.ratios.join(', ')}) |`,
    );
  }
  lines.push('', `One scrape of GET /metrics after the load: ${figures.scrapeMs} ms (median of ${SCRAPES}), ${figures.scrapeBytes} bytes.`);
  return lines;
}
