/**
 * `--scenario fleet` (issue 13, item 5): a fleet of machines connected to one vendcloud
 * (SQLite file, the embedded broker, as `vendcloud serve` runs by default). The machines are
 * raw MQTT connections held by another process (fleet-machines.ts), each subscribed to its
 * topic and heartbeating. Measured: the server's RSS with the fleet connected minus without,
 * per machine; and, while the generator keeps the API busy with product queries, how long
 * after a cancel's API response the machine sees the delete.
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createMachine, createProduct } from '../src/service/admin.js';
import type { FleetPlan } from './fleet-machines.js';
import { runLoad } from './load.js';
import { onExit, startChild } from './processes.js';
import { signedBody } from './scenarios.js';
import { freshLocation, scratchFile, seedMerchant, seedQueryMachine, withStore } from './seed.js';
import { API_PREFIX } from '../src/protocol/endpoints.js';

export interface FleetFigures {
  machines: number;
  connectMs: number;
  rssWithoutMb: number;
  rssWithMb: number;
  kbPerMachine: number;
  /** With the generator as fast as the server answers (64 connections). */
  saturated: ProbeFigures;
  /** With the generator at half that rate. */
  steady: ProbeFigures;
}

export interface ProbeFigures {
  cancels: number;
  apiLoadRps: number;
  fromResponse: { p50: number; p99: number; max: number; missed: number };
  fromRequest: { p50: number; p99: number };
}

const PROBES = 50;
const HEARTBEAT_SECONDS = 30;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

async function seedFleet(db: string, machines: number) {
  const location = { db, options: {} };
  return withStore(location, async (store) => {
    const merchant = await seedMerchant(store);
    const query = await seedQueryMachine(store, merchant.merchantId, 1000);
    const fleet: FleetPlan['machines'] = [];
    for (let start = 0; start < machines; start += 200) {
      const batch = Array.from({ length: Math.min(200, machines - start) }, (_, k) => String(70_000_000 + start + k));
      const made = await Promise.all(batch.map((machineNo) => createMachine(store, { merchantId: merchant.merchantId, machineNo, pickupCodes: true })));
      fleet.push(...made.map((m) => ({ machineNo: m.machine_no, password: m.mqtt_password })));
    }
    const probes: FleetPlan['probes'] = [];
    for (const machine of fleet.slice(0, PROBES)) {
      const product = await createProduct(store, { machineNo: machine.machineNo, name: 'Probe', price: '1.00', capacity: 100_000, inventory: 100_000, channel: 'P1' });
      probes.push({ machineNo: machine.machineNo, productId: product.id });
    }
    return { merchant, query, fleet, probes };
  });
}

function ask<T>(child: ReturnType<typeof fork>, command: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (message: any) => (message?.error ? reject(new Error(message.error)) : resolve(message as T)));
    child.send(command as any);
  });
}

/** Cancels one by one (in the fleet process) while `load` keeps the API busy, one second at a time. */
async function probeUnderLoad(fleet: ReturnType<typeof fork>, cancels: number, load: (seconds: number) => Promise<{ rps: number }>): Promise<ProbeFigures> {
  const probing = ask<{ latencies: { fromResponse: number[]; fromRequest: number[] } }>(fleet, { probe: { cancels, gapMs: 20 } });
  const rates: number[] = [];
  let done = false;
  void probing.finally(() => (done = true));
  while (!done) rates.push((await load(1)).rps);
  const { fromResponse, fromRequest } = (await probing).latencies;
  const seen = fromResponse.filter(Number.isFinite);
  const fromStart = fromRequest.filter(Number.isFinite);
  return {
    cancels: fromResponse.length,
    apiLoadRps: Math.round(rates.reduce((sum, rate) => sum + rate, 0) / Math.max(1, rates.length)),
    fromResponse: { p50: round(percentile(seen, 50)), p99: round(percentile(seen, 99)), max: round(Math.max(...seen)), missed: fromResponse.length - seen.length },
    fromRequest: { p50: round(percentile(fromStart, 50)), p99: round(percentile(fromStart, 99)) },
  };
}

export async function measureFleet(deps: { seconds: number; machines: number; log: (line: string) => void }): Promise<FleetFigures> {
  const { machines, log } = deps;
  log(`fleet: ${machines} machines connected over MQTT from another process; cancel → machine under API load; RSS per machine`);
  const location = freshLocation(undefined, 'fleet');
  const seeded = await seedFleet(location.db, machines);
  const mqttPort = await freePort();
  const server = await startChild('vendcloud (fleet)', 'vendcloud', ['--db', location.db, '--mqtt-port', String(mqttPort)]);
  const fleet = fork(fileURLToPath(new URL('./fleet-machines.js', import.meta.url)), [scratchFile('fleet-plan.json')], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  onExit(() => fleet.kill('SIGKILL'));
  try {
    const plan: FleetPlan = { apiUrl: server.url, brokerUrl: `mqtt://127.0.0.1:${mqttPort}`, merchant: seeded.merchant, machines: seeded.fleet, probes: seeded.probes, heartbeatSeconds: HEARTBEAT_SECONDS };
    writeFileSync(scratchFile('fleet-plan.json'), JSON.stringify(plan));
    await new Promise((resolve) => fleet.once('message', resolve));
    const headers = { appid: seeded.merchant.appid, appsecret: seeded.merchant.appSecret };
    const query = () => ({ method: 'POST' as const, path: `${API_PREFIX}/products/${seeded.query.productId}/pickup_code`, body: signedBody({ machine_no: seeded.query.machineNo }, seeded.merchant.merchantId) });
    // Warm the server up (JIT, caches, heap) before the RSS without machines is taken.
    await runLoad(server.url, query, { connections: 64, seconds: 2, headers, prepare: 40_000 });
    await settle(2000);
    const without = server.rss() ?? 0;
    const connected = await ask<{ connected: number; ms: number }>(fleet, 'connect');
    log(`  ${connected.connected} machines connected in ${Math.round(connected.ms)} ms`);
    await settle(3000);
    const withFleet = server.rss() ?? 0;
    const cancels = Math.max(100, deps.seconds * 40);
    const saturated = await probeUnderLoad(fleet, cancels, (seconds) => runLoad(server.url, query, { connections: 64, seconds, headers, prepare: 20_000 }));
    // The same at half the rate the server reached: a busy server that is not queueing.
    const halfRate = Math.max(100, Math.round(saturated.apiLoadRps / 2));
    const steady = await probeUnderLoad(fleet, cancels, (seconds) => runLoad(server.url, query, { connections: 64, seconds, headers, prepare: 20_000, overallRate: halfRate }));
    const figures: FleetFigures = {
      machines: connected.connected,
      connectMs: Math.round(connected.ms),
      rssWithoutMb: round(without / 1024 / 1024, 1),
      rssWithMb: round(withFleet / 1024 / 1024, 1),
      kbPerMachine: round((withFleet - without) / 1024 / connected.connected, 1),
      saturated,
      steady,
    };
    log(`  RSS ${figures.rssWithoutMb} → ${figures.rssWithMb} MB (${figures.kbPerMachine} KB a machine)`);
    for (const [name, p] of [['saturated', saturated], ['steady', steady]] as const) log(`  ${name}: cancel → machine p50 ${p.fromResponse.p50} ms, p99 ${p.fromResponse.p99} ms (API load ${p.apiLoadRps} req/s)`);
    return figures;
  } finally {
    fleet.kill('SIGKILL');
    await server.stop();
  }
}

export function fleetRows(f: FleetFigures): string[] {
  const row = (p: ProbeFigures, how: string) =>
    `| cancel → machine sees delete, from the API response, ${p.cancels} cancels under ${p.apiLoadRps} req/s of product queries (${how}) | p50 ${p.fromResponse.p50} ms, p99 ${p.fromResponse.p99} ms, max ${p.fromResponse.max} ms${p.fromResponse.missed ? `, ${p.fromResponse.missed} never seen` : ''}; from the request p50 ${p.fromRequest.p50} ms, p99 ${p.fromRequest.p99} ms |`;
  return [
    `| fleet: ${f.machines.toLocaleString('en')} machines connected (raw MQTT, another process, heartbeat every ${HEARTBEAT_SECONDS} s) | figure |`,
    '|---|---|',
    row(f.saturated, '64 connections, saturated'),
    row(f.steady, 'half that rate'),
    `| server RSS per connected machine | ${f.rssWithoutMb} MB without, ${f.rssWithMb} MB with (connected in ${f.connectMs} ms): ${f.kbPerMachine} KB a machine |`,
  ];
}
