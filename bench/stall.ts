/**
 * Does one merchant's bulk work stall everyone else? A server of its own holds a machine
 * with 100,000 UNUSED codes (merchant A) and a small machine of merchant B. Some
 * connections send B's pings, some B's product query, back to back; meanwhile A cancels
 * all its codes in one request. The figures are the latencies of B's requests that
 * overlapped the cancel-all (issue 12's goal, in goals.ts), not those of the whole run.
 */
import { performance } from 'node:perf_hooks';
import { Client } from 'undici';
import { API_PREFIX } from '../src/protocol/endpoints.js';
import { median } from './load.js';
import { startChild, type ServerChild } from './processes.js';
import { cancelAll, signedBody } from './scenarios.js';
import { analyze, freshLocation, seedCodes, seedMachine, seedMerchant, seedProduct, withStore, type Credentials, type Location, type Target } from './seed.js';

const BULK_CODES = 100_000;
const PING_CONNECTIONS = 6;
const QUERY_CONNECTIONS = 2;
/** Traffic before the bulk starts and after it ends, so the connections are warm and the edges covered. */
const MARGIN_MS = 300;

export interface Latencies {
  p50: number;
  p99: number;
  max: number;
  count: number;
}

export interface StallFigures {
  codes: number;
  /** Each cancel-all's duration, ms. */
  bulkMs: number[];
  ping: Latencies;
  query: Latencies;
}

export interface Sample {
  start: number;
  end: number;
}

const round = (value: number) => Math.round(value * 100) / 100;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function latencies(samples: Sample[], windows: Array<[number, number]>): Latencies {
  const overlapping = samples.filter((s) => windows.some(([from, to]) => s.start < to && s.end > from));
  const ms = overlapping.map((s) => s.end - s.start).sort((a, b) => a - b);
  return { p50: round(median(ms)), p99: round(percentile(ms, 99)), max: round(ms.at(-1) ?? NaN), count: ms.length };
}

/** One connection sending requests back to back until told to stop; every answer must be a success. */
export async function keepAsking(url: string, headers: Record<string, string>, build: () => { path: string; body?: string }, running: () => boolean, into: Sample[]): Promise<void> {
  const client = new Client(url);
  try {
    while (running()) {
      const spec = build();
      const start = performance.now();
      const response = await client.request({ method: 'POST', path: spec.path, headers, ...(spec.body ? { body: spec.body } : {}) });
      const text = await response.body.text();
      if (response.statusCode !== 200 || !text.startsWith('{"code":0,')) throw new Error(`stall probe failed: HTTP ${response.statusCode} ${text.slice(0, 200)}`);
      into.push({ start, end: performance.now() });
    }
  } finally {
    await client.close();
  }
}

async function cancelAllOnce(vend: ServerChild, bulk: Credentials, target: Target): Promise<void> {
  const spec = cancelAll(target, bulk.merchantId);
  const client = new Client(vend.url, { headersTimeout: 600_000, bodyTimeout: 600_000 });
  try {
    const response = await client.request({ method: spec.method, path: spec.path, headers: { appid: bulk.appid, appsecret: bulk.appSecret, 'content-type': 'application/json' }, body: spec.body! });
    const body = (await response.body.json()) as { code: number; data?: { count?: number } };
    if (body.data?.count !== BULK_CODES) throw new Error(`cancel-all answered ${JSON.stringify(body)}`);
  } finally {
    await client.close();
  }
}

export async function measureStall(db: string | undefined, repeats: number, vendcloudArgs: (location: Location) => string[], log: (line: string) => void): Promise<StallFigures> {
  log(`stall: B's ping and query latency while A cancels all of ${BULK_CODES} codes (${repeats} run${repeats > 1 ? 's' : ''})`);
  const location = freshLocation(db, 'stall');
  const seeded = await withStore(location, async (store) => {
    const bulk = await seedMerchant(store);
    const targets: Target[] = [];
    for (let i = 0; i < repeats; i++) {
      const target = await seedProduct(store, await seedMachine(store, bulk.merchantId), `Stall ${i + 1}`);
      await seedCodes(store, target, BULK_CODES, 10_000_000);
      targets.push(target);
    }
    const other = await seedMerchant(store);
    const query = await seedProduct(store, await seedMachine(store, other.merchantId), 'Other five');
    await seedCodes(store, query, 5, 10_000_000);
    await analyze(store);
    return { bulk, targets, other, query };
  });
  const vend = await startChild('vendcloud (stall)', 'vendcloud', vendcloudArgs(location));
  try {
    const { other, query } = seeded;
    const headers = { appid: other.appid, appsecret: other.appSecret, 'content-type': 'application/json' };
    const ping = () => ({ path: `${API_PREFIX}/ping` });
    const productQuery = () => ({ path: `${API_PREFIX}/products/${query.productId}/pickup_code`, body: signedBody({ machine_no: query.machineNo }, other.merchantId) });
    let running = true;
    const pings: Sample[] = [];
    const queries: Sample[] = [];
    const askers = [
      ...Array.from({ length: PING_CONNECTIONS }, () => keepAsking(vend.url, headers, ping, () => running, pings)),
      ...Array.from({ length: QUERY_CONNECTIONS }, () => keepAsking(vend.url, headers, productQuery, () => running, queries)),
    ];
    const windows: Array<[number, number]> = [];
    try {
      for (const target of seeded.targets) {
        await new Promise((resolve) => setTimeout(resolve, MARGIN_MS));
        const start = performance.now();
        await cancelAllOnce(vend, seeded.bulk, target);
        windows.push([start, performance.now()]);
        log(`  cancel-all of ${BULK_CODES} codes: ${Math.round(performance.now() - start)} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, MARGIN_MS));
    } finally {
      running = false;
      await Promise.all(askers);
    }
    const figures = { ping: latencies(pings, windows), query: latencies(queries, windows) };
    log(`  during it: ping p50 ${figures.ping.p50} ms, p99 ${figures.ping.p99} ms, max ${figures.ping.max} ms (${figures.ping.count}); query p50 ${figures.query.p50} ms, p99 ${figures.query.p99} ms, max ${figures.query.max} ms (${figures.query.count})`);
    return {
      codes: BULK_CODES,
      bulkMs: windows.map(([from, to]) => Math.round(to - from)),
      ...figures,
    };
  } finally {
    await vend.stop();
  }
}
