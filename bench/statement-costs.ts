/**
 * Where a scenario's time goes in SQLite, statement by statement: a CPU profile shows the
 * statements only as the one line that runs them all (`prepared.ts`, Kysely's driver), so it
 * cannot tell a cheap lookup from a scan. This runs vendcloud in this process on a fresh
 * seeded SQLite file, times every better-sqlite3 statement it runs while the scenario's
 * requests are answered (the same requests the load runs build), and prints each statement's
 * cost per request. COMMIT's time is mostly the fsync, which the load shares among a batch.
 *
 * Usage: npm run build && node dist/bench/statement-costs.js [SCENARIO] [REQUESTS] [CONCURRENCY]
 * (default: consume 3000 16). SQLite only: on PostgreSQL a statement's cost is the backend's.
 */
import BetterSqlite3 from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { startServer } from '../src/server.js';
import { openStore } from '../src/store/store.js';
import type { RequestSpec } from './load.js';
import { SCENARIOS } from './scenarios.js';
import { scratchFile, seedFixture } from './seed.js';

interface Cost {
  calls: number;
  micros: number;
}

/** Every statement's calls and time, keyed by its text's start. */
const costs = new Map<string, Cost>();

function timeEveryStatement(): void {
  const statement = Object.getPrototypeOf(new BetterSqlite3(':memory:').prepare('select 1')) as Record<string, (...args: unknown[]) => unknown>;
  for (const method of ['run', 'all', 'get', 'iterate']) {
    const original = statement[method]!;
    statement[method] = function (this: { source: string }, ...args: unknown[]) {
      const started = process.hrtime.bigint();
      try {
        return original.apply(this, args);
      } finally {
        const key = this.source.replace(/\s+/g, ' ').slice(0, 110);
        const cost = costs.get(key) ?? { calls: 0, micros: 0 };
        cost.calls++;
        cost.micros += Number(process.hrtime.bigint() - started) / 1000;
        costs.set(key, cost);
      }
    };
  }
}

async function main(): Promise<void> {
  const [name = 'consume', requestsText = '3000', concurrencyText = '16'] = process.argv.slice(2);
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario) throw new Error(`unknown scenario ${name}: one of ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const requests = Number(requestsText);
  const concurrency = Number(concurrencyText);
  timeEveryStatement();
  const file = scratchFile('statement-costs.sqlite');
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  const store = await openStore(file);
  const fixture = await seedFixture(store, { cancel: requests, consume: requests, mixCancel: requests });
  await store.close();
  const server = await startServer({ db: file, port: 0, logger: false, mqtt: { mode: 'off' } });
  const source = scenario.streams(fixture).vendcloud;
  const next = (): RequestSpec => (typeof source === 'function' ? source() : source);
  const headers = { 'content-type': 'application/json', Appid: fixture.appid, AppSecret: fixture.appSecret };
  const answered = new Map<number, number>();
  costs.clear();
  let sent = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent < requests) {
        sent++;
        const spec = next();
        const response = await fetch(`${server.url}${spec.path}`, { method: spec.method, headers, ...(spec.body === undefined ? {} : { body: spec.body }) });
        const { code } = (await response.json()) as { code: number };
        answered.set(code, (answered.get(code) ?? 0) + 1);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await server.close();
  console.log(`${scenario.title}: ${requests} requests, ${concurrency} at once, ${Math.round(requests / seconds)} req/s; answer codes ${JSON.stringify(Object.fromEntries(answered))}\n`);
  console.log('| µs per request | calls per request | µs per call | statement |\n|--:|--:|--:|---|');
  for (const [text, cost] of [...costs].sort((a, b) => b[1].micros - a[1].micros).slice(0, 15)) {
    console.log(`| ${(cost.micros / requests).toFixed(1)} | ${(cost.calls / requests).toFixed(2)} | ${(cost.micros / cost.calls).toFixed(1)} | \`${text.replaceAll('|', '\\|')}\` |`);
  }
}

await main();
