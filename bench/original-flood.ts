/**
 * A cancel-all of many codes to a machine on the original firmware (issue 18, point 2): it
 * knows no sync, so every code reaches it as its own `client.pickup_codes.delete`. Measured:
 * the time from the cancel-all's request until the last delete reached that machine, and,
 * meanwhile, another machine's cancel (response → its delete arrives), which the pacing of
 * the dispatcher must not hold up. A real server (SQLite file or PostgreSQL, embedded broker)
 * and two raw MQTT clients that keep codes by id, as that firmware does, all on loopback in
 * this one process (so both machines share its event loop; the figures include that).
 *
 *   npx tsc -p . && node dist/bench/original-flood.js [codes=100000] [--db postgres://…] [--json]
 */
import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import { request } from 'undici';
import { parseMachineMessage } from '../src/link/message.js';
import { API_PREFIX } from '../src/protocol/endpoints.js';
import { encodeSignedPayload } from '../src/protocol/payload.js';
import { createMachine } from '../src/service/admin.js';
import { startServer } from '../src/server.js';
import { dropSchemas, freshLocation, seedCodes, seedMerchant, seedProduct, unusedCodeIds } from './seed.js';

const json = process.argv.includes('--json');
const dbArg = process.argv.indexOf('--db');
const db = dbArg >= 0 ? process.argv[dbArg + 1] : undefined;
const total = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 100_000);
/** The other machine's cancels, one at a time, while the flood goes out. */
const OTHER_CODES = 400;

const location = freshLocation(db, 'original-flood');
const server = await startServer({ db: location.db, store: location.options, port: 0, logger: false, mqtt: { mode: 'embedded', host: '127.0.0.1', port: 0 } });
const merchant = await seedMerchant(server.store);

/** A machine on the original firmware: it counts the deletes it receives and notes when each code left. */
async function originalMachine(machineNo: string) {
  const machine = await createMachine(server.store, { merchantId: merchant.merchantId, machineNo, pickupCodes: true });
  const target = await seedProduct(server.store, { machineNo, machineId: machine.machine_id }, 'Water');
  const client = mqtt.connect(server.link!.brokerUrl, { clientId: `firmware-${machineNo}`, username: machineNo, password: machine.mqtt_password, clean: true });
  await new Promise((resolve, reject) => (client.once('connect', resolve), client.once('error', reject)));
  const state = { deletes: 0, lastDeleteAt: 0, waiters: new Map<string, (at: number) => void>() };
  client.on('message', (_topic, payload) => {
    const message = parseMachineMessage(payload);
    if (message?.method !== 'client.pickup_codes.delete') return;
    state.deletes++;
    state.lastDeleteAt = performance.now();
    state.waiters.get(message.fields.id ?? '')?.(state.lastDeleteAt);
  });
  await client.subscribeAsync(`/clients/${machineNo}`, { qos: 1 });
  return { machineNo, target, client, state };
}

let nonce = 0;
async function api(machineNo: string, method: 'POST' | 'PUT', fields: Record<string, string>) {
  const payload = encodeSignedPayload({ ...fields, machine_no: machineNo, timestamp: String(Math.floor(Date.now() / 1000)), nonce: String(++nonce) }, String(merchant.merchantId));
  const response = await request(`${server.url}${API_PREFIX}/pickup_codes`, { method, headers: { appid: merchant.appid, appsecret: merchant.appSecret }, body: JSON.stringify({ payload }) });
  const body = (await response.body.json()) as { code: number; data: any };
  if (body.code !== 0) throw new Error(`API answered ${JSON.stringify(body)}`);
  return body.data;
}

const flooded = await originalMachine('70000001');
const other = await originalMachine('70000002');
await seedCodes(server.store, flooded.target, total, 10_000_000);
await seedCodes(server.store, other.target, OTHER_CODES, 10_000_000);
const otherIds = await unusedCodeIds(server.store, other.target.productId);
// Their catch-up at connect (every live code as a create) is done before the measurement.
await server.link!.idle();

const start = performance.now();
const cancelAll = api(flooded.machineNo, 'PUT', { method: 'pickup_code.delete.all' }).then((data) => ({ count: data.count as number, at: performance.now() }));
const otherLatencies: number[] = [];
for (const id of otherIds) {
  if (flooded.state.deletes >= total) break;
  const arrived = new Promise<number>((resolve) => other.state.waiters.set(String(id), resolve));
  await api(other.machineNo, 'PUT', { method: 'pickup_code.delete.id', id: String(id) });
  const answered = performance.now();
  otherLatencies.push((await arrived) - answered);
}
const { count, at: cancelAnswered } = await cancelAll;
while (flooded.state.deletes < total) await new Promise((resolve) => setTimeout(resolve, 20));
const allArrived = flooded.state.lastDeleteAt - start;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
const round = (value: number) => Math.round(value * 100) / 100;
const figures = {
  store: server.store.dialect,
  codes: count,
  cancelAllAnsweredMs: round(cancelAnswered - start),
  lastDeleteArrivedMs: round(allArrived),
  deletesPerSecond: Math.round(total / ((flooded.state.lastDeleteAt - cancelAnswered) / 1000)),
  otherCancels: otherLatencies.length,
  otherCancelToDelete: { p50: round(percentile(otherLatencies, 50)), p99: round(percentile(otherLatencies, 99)), max: round(Math.max(...otherLatencies)) },
};
if (json) console.log(JSON.stringify(figures));
else {
  console.log(`a cancel-all of ${count} codes to a machine on the original firmware (${figures.store}, embedded aedes, loopback)`);
  console.log(`  cancel-all answered after ${figures.cancelAllAnsweredMs} ms; the ${total}th delete reached the machine after ${figures.lastDeleteArrivedMs} ms (${figures.deletesPerSecond} deletes/s)`);
  const o = figures.otherCancelToDelete;
  console.log(`  meanwhile another machine's cancel -> its delete (${figures.otherCancels} cancels): median ${o.p50} ms, p99 ${o.p99} ms, max ${o.max} ms`);
}

for (const machine of [flooded, other]) await machine.client.endAsync();
await server.close();
await dropSchemas();
