/**
 * The fleet for `npm run bench -- --scenario fleet`: a process of its own holding one raw
 * MQTT connection per machine (mqtt.js, no simulator logic), each subscribed to its topic
 * and heartbeating, and the probe that times cancel → machine sees the delete. Both ends of
 * that timing are in this process, on one clock: it sends each cancel through the Open API
 * and waits for the `client.pickup_codes.delete` naming the code on the machine's topic.
 *
 * Driven over IPC by bench/fleet.ts: `connect` → { connected, ms }; `probe` → { latencies }.
 */
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import { request } from 'undici';
import { API_PREFIX } from '../src/protocol/endpoints.js';
import { encodeMachineMessage, MACHINE_METHOD, machineTopic, SERVER_TOPIC } from '../src/protocol/machine-messages.js';
import { parseMachineMessage } from '../src/link/message.js';
import { encodeSignedPayload } from '../src/protocol/payload.js';
import { nowSeconds } from '../src/protocol/time.js';

export interface FleetPlan {
  apiUrl: string;
  brokerUrl: string;
  merchant: { merchantId: number; appid: string; appSecret: string };
  machines: Array<{ machineNo: string; password: string }>;
  /** Machines with a product to create and cancel codes on: the probes. */
  probes: Array<{ machineNo: string; productId: number }>;
  heartbeatSeconds: number;
}

export type FleetCommand = { probe: { cancels: number; gapMs: number } } | 'connect';

const plan = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as FleetPlan;
const clients: MqttClient[] = [];
/** Code id → resolves when a machine saw its delete. */
const awaited = new Map<string, (at: number) => void>();
let nonce = 0;

function heartbeat(client: MqttClient, machineNo: string): void {
  const body = { network_type: 'wifi', network_rssi: '-60', uptime_minutes_today: '1' };
  client.publish(SERVER_TOPIC, encodeMachineMessage({ machineId: '0', machineNo, method: MACHINE_METHOD.HEARTBEAT, timestamp: nowSeconds() }, body, plan.merchant.appid), { qos: 1 });
}

function connectOne(machine: { machineNo: string; password: string }, index: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(plan.brokerUrl, { clientId: machine.machineNo, username: machine.machineNo, password: machine.password, clean: true, reconnectPeriod: 1000, connectTimeout: 30_000 });
    clients.push(client);
    client.on('message', (_topic, payload) => {
      const message = parseMachineMessage(payload);
      if (message?.method !== MACHINE_METHOD.CODE_DELETED) return;
      const seen = awaited.get(message.fields.id ?? '');
      if (seen) seen(performance.now());
    });
    client.once('error', reject);
    client.once('connect', () => {
      client.subscribe(machineTopic(machine.machineNo), { qos: 1 }, (error) => {
        if (error) return reject(error);
        heartbeat(client, machine.machineNo);
        // Heartbeats spread over the period, as a real fleet's are.
        const period = plan.heartbeatSeconds * 1000;
        setTimeout(() => setInterval(() => heartbeat(client, machine.machineNo), period), (index * period) / plan.machines.length);
        resolve();
      });
    });
  });
}

async function connectAll(): Promise<number> {
  const started = performance.now();
  for (let start = 0; start < plan.machines.length; start += 100) {
    await Promise.all(plan.machines.slice(start, start + 100).map((machine, k) => connectOne(machine, start + k)));
  }
  return performance.now() - started;
}

async function api(method: 'POST' | 'PUT', machineNo: string, fields: Record<string, string>): Promise<any> {
  const payload = encodeSignedPayload({ ...fields, machine_no: machineNo, timestamp: String(nowSeconds()), nonce: `fleet-${process.pid}-${++nonce}` }, String(plan.merchant.merchantId));
  const response = await request(`${plan.apiUrl}${API_PREFIX}/pickup_codes`, {
    method,
    headers: { appid: plan.merchant.appid, appsecret: plan.merchant.appSecret },
    body: JSON.stringify({ payload }),
  });
  const body = (await response.body.json()) as { code: number; data: any };
  if (body.code !== 0) throw new Error(`API answered ${JSON.stringify(body)}`);
  return body.data;
}

/** Cancels `cancels` codes one at a time, `gapMs` apart, round the probes; each from the API response to the delete's arrival. */
async function probe(cancels: number, gapMs: number): Promise<{ fromResponse: number[]; fromRequest: number[] }> {
  const perProbe = Math.ceil(cancels / plan.probes.length);
  const perMachine: Array<Array<{ machineNo: string; id: string }>> = [];
  for (const target of plan.probes) {
    const made = await api('POST', target.machineNo, { method: 'pickup_code.product.id', product_id: String(target.productId), count: String(perProbe) });
    perMachine.push(made.codes.map((code: { id: number }) => ({ machineNo: target.machineNo, id: String(code.id) })));
  }
  // Round the probes, so consecutive cancels are on different machines.
  const codes = Array.from({ length: perProbe }, (_, i) => perMachine.map((list) => list[i]!)).flat();
  const fromResponse: number[] = [];
  const fromRequest: number[] = [];
  for (const code of codes.slice(0, cancels)) {
    const seen = new Promise<number>((resolve) => awaited.set(code.id, resolve));
    const sent = performance.now();
    await api('PUT', code.machineNo, { method: 'pickup_code.delete.id', id: code.id });
    const answered = performance.now();
    const at = await Promise.race([seen, new Promise<number>((resolve) => setTimeout(() => resolve(Number.NaN), 10_000))]);
    awaited.delete(code.id);
    fromResponse.push(at - answered);
    fromRequest.push(at - sent);
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  return { fromResponse, fromRequest };
}

process.on('message', (command: FleetCommand) => {
  const reply = (message: unknown) => process.send?.(message);
  if (command === 'connect') connectAll().then((ms) => reply({ connected: clients.length, ms }), (error) => reply({ error: String(error) }));
  else if (typeof command === 'object' && command.probe) probe(command.probe.cancels, command.probe.gapMs).then((latencies) => reply({ latencies }), (error) => reply({ error: String(error) }));
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
