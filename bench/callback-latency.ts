/**
 * Delay from the commit that queues a callback to a receiver on loopback holding it (signed,
 * MD5 and HMAC): a real server and store, the receiver in this process (one event loop for
 * both; the figures include that). One callback at a time, so each is the latency of an
 * idle queue woken by the commit.
 *
 *   npx tsc -p . && node dist/bench/callback-latency.js [callbacks=500] [--db postgres://…] [--json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createMerchant } from '../src/service/admin.js';
import { queueDeliveryResult } from '../src/service/delivery-notices.js';
import { startServer } from '../src/server.js';

const json = process.argv.includes('--json');
const count = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 500);
const dbFlag = process.argv.indexOf('--db');
const dir = mkdtempSync(join(tmpdir(), 'vendcloud-callback-bench-'));
const db = dbFlag > 0 ? process.argv[dbFlag + 1]! : join(dir, 'bench.sqlite');
const store = db.startsWith('postgres') ? { pgSchema: `bench_callbacks_${process.pid}` } : {};

let arrived: (() => void) | undefined;
const receiver = createServer((request, response) => {
  request.resume().on('end', () => {
    response.end('ok');
    arrived?.();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const port = (receiver.address() as { port: number }).port;

const server = await startServer({ db, store, port: 0, logger: false, callbacks: { allowPrivate: true } });
const merchant = await createMerchant(server.store, { name: 'Bench' });
const latencies: number[] = [];
for (let i = 1; i <= count; i++) {
  const received = new Promise<number>((resolve) => (arrived = () => resolve(performance.now())));
  await server.store.write((trx) =>
    queueDeliveryResult(trx, { actor: { name: 'bench', requestId: null }, now: Math.floor(Date.now() / 1000) }, {
      merchantId: merchant.merchant_id,
      notifyUrl: `http://127.0.0.1:${port}/notify`,
      orderId: i,
      recordId: i,
      deliveryId: i,
      deliverStatus: 1,
      floorStatus: 1,
      errorMsg: '',
    }),
  );
  const committed = performance.now();
  latencies.push((await received) - committed);
}
await server.callbacks.idle();
await server.close();
receiver.close();
rmSync(dir, { recursive: true, force: true });

latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
const result = { callbacks: count, store: db.startsWith('postgres') ? 'postgres' : 'sqlite', p50_ms: +at(0.5).toFixed(2), p99_ms: +at(0.99).toFixed(2), max_ms: +at(1).toFixed(2) };
process.stdout.write(json ? `${JSON.stringify(result)}\n` : `commit → callback received (${result.store}, ${count}): p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms, max ${result.max_ms} ms\n`);
