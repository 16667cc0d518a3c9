/**
 * From code to callback on loopback (issue 11): a real server (its store, embedded broker),
 * a simulated machine vending at once (vendMs 0, so the figures are the platform's own), and
 * the merchant's HTTP receiver, all in this process (one event loop; the figures include
 * that). Each round consumes a code, asks for its delivery and waits until the receiver
 * holds the signed result, one round at a time.
 *
 *   npx tsc -p . && node dist/bench/callback-latency.js [rounds=300] [--db postgres://…] [--json]
 *
 * `npm run bench` runs it too (its row "consume → delivery → callback received"), with --json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { MachineSimulator } from '../src/link/machine-simulator.js';
import { API_PREFIX } from '../src/protocol/endpoints.js';
import { encodeSignedPayload } from '../src/protocol/payload.js';
import { createMachine, createMerchant, createProduct } from '../src/service/admin.js';
import { startServer } from '../src/server.js';
import { isPostgresUrl } from '../src/store/store.js';
import { dropSchemas, freshLocation } from './seed.js';

const json = process.argv.includes('--json');
const rounds = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 300);
const dbFlag = process.argv.indexOf('--db');
const dir = mkdtempSync(join(tmpdir(), 'vendcloud-callback-bench-'));
const given = dbFlag > 0 ? process.argv[dbFlag + 1]! : join(dir, 'bench.sqlite');
// On PostgreSQL a fresh schema, dropped at the end like the harness's own.
const location = isPostgresUrl(given) ? freshLocation(given, 'callbacks') : undefined;
const db = location?.db ?? given;
const store = location?.options ?? {};

let arrived: (() => void) | undefined;
const receiver = createServer((incoming, response) => {
  incoming.resume().on('end', () => {
    response.end('ok');
    arrived?.();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const notifyUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/notify`;

const server = await startServer({ db, store, port: 0, logger: false, mqtt: { mode: 'embedded', host: '127.0.0.1', port: 0 }, callbacks: { allowPrivate: true }, config: { rateLimitPerMinute: 0 } });
const merchant = await createMerchant(server.store, { name: 'Bench' });
const machineNo = String(40_000_000 + (process.pid % 1_000_000));
const machine = await createMachine(server.store, { merchantId: merchant.merchant_id, machineNo, pickupCodes: true });
const product = await createProduct(server.store, { machineNo, name: 'Water', price: '1.00', capacity: rounds, inventory: rounds, channel: 'A1' });
const sim = new MachineSimulator({ url: server.link!.brokerUrl, machineNo, password: machine.mqtt_password, appid: merchant.appid, vendMs: 0 });
await sim.connect();

let serial = 0;
async function api(path: string, fields: Record<string, string>): Promise<any> {
  const payload = encodeSignedPayload({ ...fields, machine_no: machineNo, timestamp: String(Math.floor(Date.now() / 1000)) }, String(merchant.merchant_id));
  const response = await request(`${server.url}${API_PREFIX}${path}`, { method: 'POST', headers: { appid: merchant.appid, appsecret: merchant.app_secret }, body: JSON.stringify({ payload }) });
  const body = (await response.body.json()) as { code: number; data: any };
  if (body.code !== 0) throw new Error(`${path} answered ${JSON.stringify(body)}`);
  return body.data;
}

// The commit that queued the round's callback (the machine's result): where the callback's own part begins.
let queuedAt = 0;
server.store.onCommit((work) => {
  if (work.queued.callbacks) queuedAt = performance.now();
});

const codes: Array<{ code: string }> = (await api('/pickup_codes', { method: 'pickup_code.product.id', product_id: String(product.id), count: String(rounds) })).codes;
const fromConsume: number[] = [];
const fromDelivery: number[] = [];
const fromResultCommit: number[] = [];
for (const { code } of codes) {
  const received = new Promise<number>((resolve) => (arrived = () => resolve(performance.now())));
  const started = performance.now();
  const order = await api('/consumes', { method: 'event.consume.pickup_code', code, product_id: String(product.id), trade_id: `BENCH${process.pid}${String(++serial).padStart(12, '0')}`, notify_url: notifyUrl });
  await api('/deliveries', { method: 'device.delivery.put', order_id: String(order.order_id), record_id: String(order.records[0].id) });
  const commanded = performance.now();
  const at = await received;
  fromConsume.push(at - started);
  fromDelivery.push(at - commanded);
  fromResultCommit.push(at - queuedAt);
}
await sim.disconnect();
await server.close();
await dropSchemas();
receiver.close();
rmSync(dir, { recursive: true, force: true });

const figures = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => +sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
  return { p50: at(0.5), p99: at(0.99), max: at(1) };
};
const result = { rounds, store: db.startsWith('postgres') ? 'postgres' : 'sqlite', fromConsume: figures(fromConsume), fromDeliveryResponse: figures(fromDelivery), fromResultCommit: figures(fromResultCommit) };
const line = (f: { p50: number; p99: number; max: number }) => `p50 ${f.p50} ms, p99 ${f.p99} ms, max ${f.max} ms`;
process.stdout.write(
  json
    ? `${JSON.stringify(result)}\n`
    : `consume → delivery → callback received (${result.store}, ${rounds} rounds): ${line(result.fromConsume)}; from the delivery's answer: ${line(result.fromDeliveryResponse)}; from the result's commit: ${line(result.fromResultCommit)}\n`,
);
