/**
 * Does the retention purge stall other merchants? (issue 27) A server of its own finds
 * 100,000 callback rows past `--keep-callbacks-days` (80,000 attempts and the 20,000 delivered
 * webhook events they belong to, as a month of backlog would leave them) and purges them with
 * its housekeeping, in steps. Meanwhile some connections send another merchant's pings back to
 * back. The figures are the latencies of the pings that overlapped the purge (its goal is in
 * goals.ts, as a bulk cancel's), the purge's duration, and its rows per second.
 */
import { performance } from 'node:perf_hooks';
import { API_PREFIX } from '../src/protocol/endpoints.js';
import type { Store } from '../src/store/store.js';
import { startChild } from './processes.js';
import { keepAsking, latencies, type Latencies, type Sample } from './stall.js';
import { freshLocation, seedMerchant, withStore, type Location } from './seed.js';

const EVENTS = 20_000;
const ATTEMPTS_PER_EVENT = 4;
const PING_CONNECTIONS = 6;
/** The child's housekeeping interval: the purge starts within this long after it listens. */
const PURGE_INTERVAL_MS = 1000;
/** How often the bench counts what is left, to see when the purge started and ended. */
const WATCH_MS = 25;
const DAY = 24 * 3600;
/** Rows per INSERT while seeding, under SQLite's limit on bound parameters. */
const SEED_CHUNK = 1000;

export interface PurgeStallFigures {
  rows: number;
  purgeMs: number;
  rowsPerSecond: number;
  ping: Latencies;
}

/** Delivered events finished 40 days ago, each with its attempts: what the purge must take away. */
async function seedOldCallbacks(store: Store, merchantId: number): Promise<void> {
  const long = Math.floor(Date.now() / 1000) - 40 * DAY;
  for (let first = 0; first < EVENTS; first += SEED_CHUNK) {
    await store.write({ actor: 'bench', requestId: null, at: long }, async ({ trx }) => {
      const events = Array.from({ length: Math.min(SEED_CHUNK, EVENTS - first) }, (_, index) => ({
        merchant_id: merchantId,
        kind: 'event' as const,
        event_id: `evt_bench${String(first + index).padStart(23, '0')}`,
        event_type: 'machine.online',
        url: 'https://merchant.example/hooks',
        body: '{"id":"evt_bench","type":"machine.online","created_at":0,"data":{"machine_no":"10000001"}}',
        state: 'delivered' as const,
        attempts: ATTEMPTS_PER_EVENT,
        scheduled_from: long,
        next_attempt_at: long,
        created_at: long,
        finished_at: long,
      }));
      const ids = await trx.insertInto('callbacks').values(events).returning('id').execute();
      const attempts = ids.flatMap(({ id }) =>
        Array.from({ length: ATTEMPTS_PER_EVENT }, (_, attempt) => ({
          callback_id: id,
          attempt: attempt + 1,
          started_at: long,
          latency_ms: 12,
          http_status: attempt + 1 === ATTEMPTS_PER_EVENT ? 200 : 503,
          error: null,
          outcome: attempt + 1 === ATTEMPTS_PER_EVENT ? ('delivered' as const) : ('retry' as const),
        })),
      );
      for (let at = 0; at < attempts.length; at += SEED_CHUNK) await trx.insertInto('callback_attempts').values(attempts.slice(at, at + SEED_CHUNK)).execute();
    });
  }
}

async function rowsLeft(store: Store): Promise<number> {
  const count = async (table: 'callbacks' | 'callback_attempts') => Number((await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return (await count('callbacks')) + (await count('callback_attempts'));
}

/** Watches the rows go: when the purge started (fewer than seeded) and ended (none left). */
async function watchPurge(location: Location, total: number): Promise<[number, number]> {
  return withStore(location, async (store) => {
    let started: number | undefined;
    for (;;) {
      const checked = performance.now();
      const left = await rowsLeft(store);
      if (started === undefined && left < total) started = checked;
      if (left === 0) return [started ?? checked, performance.now()];
      await new Promise((resolve) => setTimeout(resolve, WATCH_MS));
    }
  });
}

export async function measurePurgeStall(db: string | undefined, vendcloudArgs: (location: Location) => string[], log: (line: string) => void): Promise<PurgeStallFigures> {
  const total = EVENTS * (1 + ATTEMPTS_PER_EVENT);
  log(`purge stall: another merchant's ping latency while the housekeeping purges ${total} old callback rows`);
  const location = freshLocation(db, 'purge');
  const other = await withStore(location, async (store) => {
    await seedOldCallbacks(store, (await seedMerchant(store)).merchantId);
    return seedMerchant(store);
  });
  const vend = await startChild('vendcloud (purge)', 'vendcloud', [...vendcloudArgs(location), '--purge-interval-ms', String(PURGE_INTERVAL_MS)]);
  try {
    const headers = { appid: other.appid, appsecret: other.appSecret, 'content-type': 'application/json' };
    let running = true;
    const pings: Sample[] = [];
    const askers = Array.from({ length: PING_CONNECTIONS }, () => keepAsking(vend.url, headers, () => ({ path: `${API_PREFIX}/ping` }), () => running, pings));
    let window: [number, number];
    try {
      window = await watchPurge(location, total);
    } finally {
      running = false;
      await Promise.all(askers);
    }
    const purgeMs = Math.round(window[1] - window[0]);
    const ping = latencies(pings, [window]);
    log(`  purge of ${total} rows: ${purgeMs} ms; during it ping p50 ${ping.p50} ms, p99 ${ping.p99} ms, max ${ping.max} ms (${ping.count})`);
    return { rows: total, purgeMs, rowsPerSecond: Math.round((total / Math.max(purgeMs, 1)) * 1000), ping };
  } finally {
    await vend.stop();
  }
}
