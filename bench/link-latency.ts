/**
 * Delay from a cancel's API response to the machine dropping the code: a real server
 * (SQLite file, embedded broker) and a simulated machine, over loopback. The machine runs
 * in this process too, so both share one event loop; the figures include that.
 *
 *   npx tsc -p . && node dist/bench/link-latency.js [cancels=1000] [--json]
 *
 * `npm run bench` runs it too (its row "cancel → machine sees delete"), with --json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { API_PREFIX } from '../src/protocol/endpoints.js';
import { MachineSimulator } from '../src/link/machine-simulator.js';
import { encodeSignedPayload } from '../src/protocol/payload.js';
import { createMachine, createMerchant, createProduct } from '../src/service/admin.js';
import { startServer } from '../src/server.js';

const json = process.argv.includes('--json');
const cancels = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 1000);
const dir = mkdtempSync(join(tmpdir(), 'vendcloud-link-bench-'));
const server = await startServer({ db: join(dir, 'bench.sqlite'), port: 0, logger: false, mqtt: { mode: 'embedded', host: '127.0.0.1', port: 0 } });
const merchant = await createMerchant(server.store, { name: 'Bench' });
const machineNo = '30000001';
const machine = await createMachine(server.store, { merchantId: merchant.merchant_id, machineNo, pickupCodes: true });
const product = await createProduct(server.store, { machineNo, name: 'Water', price: '1.00', capacity: cancels, inventory: cancels });

let nonce = 0;
async function api(method: 'POST' | 'PUT', fields: Record<string, string>) {
  const payload = encodeSignedPayload({ ...fields, machine_no: machineNo, timestamp: String(Math.floor(Date.now() / 1000)), nonce: String(++nonce) }, String(merchant.merchant_id));
  const response = await request(`${server.url}${API_PREFIX}/pickup_codes`, {
    method,
    headers: { appid: merchant.appid, appsecret: merchant.app_secret },
    body: JSON.stringify({ payload }),
  });
  const body = (await response.body.json()) as { code: number; data: any };
  if (body.code !== 0) throw new Error(`API answered ${JSON.stringify(body)}`);
  return body.data;
}

const sim = new MachineSimulator({ url: server.link!.brokerUrl, machineNo, password: machine.mqtt_password, appid: merchant.appid });
await sim.connect();
const created: Array<{ id: number }> = (await api('POST', { method: 'pickup_code.product.id', product_id: String(product.id), count: String(cancels) })).codes;
await waitFor(() => sim.codes().length === cancels);

function waitFor(condition: () => boolean): Promise<number> {
  return new Promise((resolve) => {
    if (condition()) return resolve(performance.now());
    const check = () => {
      if (!condition()) return;
      sim.off('change', check);
      resolve(performance.now());
    };
    sim.on('change', check);
  });
}

const fromResponse: number[] = [];
const fromRequest: number[] = [];
for (const code of created) {
  const id = String(code.id);
  const dropped = waitFor(() => !sim.codes().some((held) => held.id === id));
  const sent = performance.now();
  await api('PUT', { method: 'pickup_code.delete.id', id });
  const answered = performance.now();
  const gone = await dropped;
  fromResponse.push(gone - answered);
  fromRequest.push(gone - sent);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const ms = (value: number) => `${value.toFixed(2)} ms`;
const round = (value: number) => Math.round(value * 100) / 100;
if (json) {
  console.log(
    JSON.stringify({
      cancels,
      fromResponse: { p50: round(percentile(fromResponse, 50)), p99: round(percentile(fromResponse, 99)), max: round(Math.max(...fromResponse)) },
      fromRequest: { p50: round(percentile(fromRequest, 50)), p99: round(percentile(fromRequest, 99)) },
    }),
  );
} else {
console.log(`machine link latency over ${cancels} cancels (SQLite synchronous=FULL, embedded aedes, loopback)`);
console.log(`  cancel response -> machine dropped the code: median ${ms(percentile(fromResponse, 50))}, p99 ${ms(percentile(fromResponse, 99))}, max ${ms(Math.max(...fromResponse))}`);
console.log(`  cancel request sent -> machine dropped it:   median ${ms(percentile(fromRequest, 50))}, p99 ${ms(percentile(fromRequest, 99))}`);
console.log(`  dropped before the response arrived: ${fromResponse.filter((value) => value <= 0).length} of ${cancels}`);
console.log(`  link counters: ${JSON.stringify({ published: server.link!.counters.published, superseded: server.link!.counters.superseded, publishFailures: server.link!.counters.publishFailures })}`);
}

await sim.disconnect();
await server.close();
rmSync(dir, { recursive: true, force: true });
