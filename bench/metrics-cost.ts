/**
 * What the Prometheus metrics cost per request (issue 22): the same scenarios (query and
 * cancel) on two vendcloud children on the run's store, seeded alike, one with
 * `--metrics-port` and one without, run alternately (off, on, off, …) by the same generator.
 * The figures: the median of the pairwise ratios RPS on / RPS off, and each child's CPU per
 * answer (user + system time / answers), whose difference is the metrics' own cost. Then the
 * time of a scrape of the child with metrics, its backlog read from the store included.
 */
import { createServer } from 'node:net';
import { median } from './load.js';
import { headersOf, round, summarise, type Contestant } from './measure.js';
import { alternate, pairedRatio, type Rounds } from './pairs.js';
import { startChild, type ServerChild } from './processes.js';
import type { Summary } from './report.js';
import { SCENARIOS } from './scenarios.js';
import { freshLocation, seedFixture, vendcloudArgs, withStore, type Fixture } from './seed.js';

export interface MetricsCostFigures {
  scenarios: Array<{
    name: string;
    title: string;
    off: Summary;
    on: Summary;
    ratio: number;
    ratios: number[];
  }>;
  /** Milliseconds of one GET /metrics, median of SCRAPES, after the load. */
  scrapeMs: number;
  scrapeBytes: number;
}

export interface MetricsCostDeps {
  pgUrl: string | undefined;
  rounds: Rounds;
  /** Codes to seed in the cancel pool. */
  pools: number;
  log: (line: string) => void;
}

const SCENARIO_NAMES = ['query', 'cancel'];
const SCRAPES = 9;

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
      seeded.push({ name: variant.name, fixture, child: await startChild(`vendcloud metrics ${variant.name}`, 'vendcloud', [...vendcloudArgs(variant.location), ...variant.extra]) });
    }
    const figures: MetricsCostFigures['scenarios'] = [];
    for (const name of SCENARIO_NAMES) {
      const scenario = SCENARIOS.find((s) => s.name === name)!;
      const contestants: Contestant[] = seeded.map((s) => ({ name: s.name, child: s.child, source: scenario.streams(s.fixture).vendcloud, headers: headersOf(s.fixture) }));
      const [off, on] = await alternate(`metrics ${name}`, contestants, deps.rounds);
      figures.push({ name, title: scenario.title, off: summarise(off!), on: summarise(on!), ...pairedRatio(on!, off!, (m) => m.rps) });
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
