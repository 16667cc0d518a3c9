/**
 * One request at a time on a server of its own: bulk (create 10,000 codes in one request, a
 * cancel-all of 100,000 with the server's memory around it), scale (the product query and
 * the machine-wide page against a small and a large store, alternately), and the latencies
 * measured by child scripts (cancel → the machine sees it, consume → the callback arrives).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Args } from './args.js';
import { median, type RequestSpec } from './load.js';
import { headersOf, log, once, round, summarise, type Contestant } from './measure.js';
import { alternate, pairedRatio } from './pairs.js';
import { cpuProfileArgv, startChild, type ServerChild } from './processes.js';
import type { BulkFigures, CallbackFigures, MachineLinkFigures, ScaleFigures } from './report.js';
import { cancelAll, createMany, queryPage, queryProduct } from './scenarios.js';
import { analyze, freshLocation, seedCodes, seedMachine, seedMerchant, seedProduct, seedQueryMachine, vendcloudArgs, withStore, type Credentials, type Target } from './seed.js';

const CANCEL_ALL_CODES = 100_000;
const CREATE_MANY_CODES = 10_000;

const mb = (bytes: number | undefined) => (bytes === undefined ? null : round(bytes / 1024 / 1024, 1));

async function timedRuns(vend: ServerChild, headers: Record<string, string>, specs: RequestSpec[], check: (body: any) => string | undefined, what: string): Promise<number[]> {
  const times: number[] = [];
  for (const spec of specs) {
    const { ms, body } = await once(vend, spec, headers);
    const wrong = check(body);
    if (wrong) throw new Error(`${what}: ${wrong}`);
    times.push(round(ms, 0));
    log(`  ${what}: ${Math.round(ms)} ms`);
  }
  return times;
}

export async function measureBulk(args: Args): Promise<BulkFigures> {
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
  const vend = await startChild('vendcloud (bulk)', 'vendcloud', vendcloudArgs(location), cpuProfileArgv(args.profileDir));
  try {
    const headers = headersOf(seeded.merchant);
    const key = seeded.merchant.merchantId;
    const creates = Array.from({ length: settings.bulkRepeats }, () => createMany(seeded.createTarget, CREATE_MANY_CODES, key));
    const createMs = await timedRuns(vend, headers, creates, (body) => (body.data?.codes?.length === CREATE_MANY_CODES ? undefined : `returned ${body.data?.codes?.length} codes`), `create ${CREATE_MANY_CODES} codes`);
    const rssBefore = vend.rss();
    const peakResetWorked = vend.resetPeakRss();
    const cancels = seeded.cancelTargets.map((target) => cancelAll(target, key));
    const cancelMs = await timedRuns(vend, headers, cancels, (body) => (body.data?.count === CANCEL_ALL_CODES ? undefined : `cancelled ${body.data?.count} codes`), `cancel-all of ${CANCEL_ALL_CODES} codes`);
    return {
      createMany: { codes: CREATE_MANY_CODES, ms: createMs, medianMs: round(median(createMs), 0) },
      cancelAll: { codes: CANCEL_ALL_CODES, ms: cancelMs, medianMs: round(median(cancelMs), 0), rssBeforeMb: mb(rssBefore), peakRssMb: mb(vend.peakRss()), peakResetWorked },
    };
  } finally {
    await vend.stop();
  }
}

export async function measureScale(args: Args): Promise<ScaleFigures> {
  const { settings } = args;
  const sizes = { small: 1_000, large: settings.scaleCodes };
  log(`scale: query p50 with ${sizes.small} vs ${sizes.large} codes in the store`);
  const stores: Array<{ size: 'small' | 'large'; child: ServerChild; merchant: Credentials; target: Target }> = [];
  try {
    for (const size of ['small', 'large'] as const) {
      const location = freshLocation(args.db, `scale-${size}`);
      const seeded = await withStore(location, async (store) => {
        const merchant = await seedMerchant(store);
        const target = await seedQueryMachine(store, merchant.merchantId, sizes[size]);
        await analyze(store);
        return { merchant, target };
      });
      stores.push({ size, ...seeded, child: await startChild(`vendcloud (${size} store)`, 'vendcloud', vendcloudArgs(location)) });
    }
    const rounds = { warmupSeconds: settings.warmupSeconds, seconds: settings.seconds, pairs: settings.scalePairs };
    const measure = async (name: string, build: (target: Target, key: number) => RequestSpec) => {
      const contestants = stores.map((s): Contestant => ({ name: s.size, child: s.child, source: () => build(s.target, s.merchant.merchantId), headers: headersOf(s.merchant) }));
      const [small, large] = await alternate(`scale ${name}`, contestants, rounds);
      return { small: summarise(small!), large: summarise(large!), p50Ratio: pairedRatio(large!, small!, (m) => m.p50, 2).ratio };
    };
    return { smallCodes: sizes.small, largeCodes: sizes.large, query: await measure('query', (t, key) => queryProduct(t, key)), page: await measure('page', queryPage) };
  } finally {
    for (const s of stores) await s.child.stop();
  }
}

async function childFigures<T>(script: string, args: string[], timeout: number): Promise<T> {
  const path = fileURLToPath(new URL(`./${script}`, import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [path, ...args, '--json'], { timeout });
  return JSON.parse(stdout.trim().split('\n').pop()!) as T;
}

/**
 * Cancel → the machine sees the delete: link-latency.js (a server on a SQLite file with its
 * embedded broker, and a simulated machine) cancels codes one by one and times each API
 * response to the machine dropping that code.
 */
export function measureCancelToMachine(cancels: number): Promise<MachineLinkFigures> {
  return childFigures('link-latency.js', [String(cancels)], 120_000);
}

/**
 * Consume → delivery → callback received: callback-latency.js (a server with its embedded
 * broker, a simulated machine vending at once, a loopback receiver) times each round from the
 * consume request to the receiver holding the signed result.
 */
export function measureCodeToCallback(rounds: number, db: string | undefined): Promise<CallbackFigures> {
  return childFigures('callback-latency.js', [String(rounds), ...(db ? ['--db', db] : [])], 300_000);
}
