/**
 * The machine link without the HTTP server: a real SQLite store, the link as the server wires
 * it (startMachineLink: the embedded broker, the server's own MQTT client, the inbox and the
 * outbox dispatcher), a clock the test sets, and every log line kept. Machines are plain MQTT
 * clients that send and read the wire form themselves, so a test can send anything a machine
 * could and see exactly what the server sent it.
 */
import { randomInt } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { startMachineLink, type MachineLink } from '../../src/link/link.js';
import { parseMachineMessage, signatureHolds } from '../../src/link/message.js';
import { encodeMachineMessage, machineTopic, SERVER_TOPIC } from '../../src/protocol/machine-messages.js';
import { createMachine, createMerchant, createProduct, setMachine, setMerchantWebhook } from '../../src/service/admin.js';
import * as machines from '../../src/store/repositories/machines.repository.js';
import type { MachineRef } from '../../src/store/repositories/machines.repository.js';
import type { Author, Store, Work } from '../../src/store/store.js';
import { openStore } from '../../src/store/store.js';
import { storeKinds } from './stores.js';

/** 12 random digits, as test/helpers/link.ts draws them (not imported: that module loads the whole HTTP server). */
function uniqueMachineNo(): string {
  return String(randomInt(100_000_000_000, 999_999_999_999));
}

/** The clock every rig starts at, Unix seconds. */
export const RIG_START = 1_800_000_000;

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A message as a machine reads it off its topic. */
export interface Received {
  method: string;
  fields: Record<string, string>;
  /** Whether it is signed with the machine's merchant's Appid. */
  signed: boolean;
}

export interface RigMachine {
  id: number;
  machineNo: string;
  password: string;
  appid: string;
  merchantId: number;
  productId: number;
  ref: MachineRef;
}

export class LinkRig {
  private readonly clients: MqttClient[] = [];
  private constructor(
    readonly store: Store,
    readonly link: MachineLink,
    readonly logs: LogLine[],
    private readonly clock: { now: number },
    private readonly cleanup: () => Promise<void>,
  ) {}

  static async start(options: { messageAgeWindowSeconds?: number } = {}): Promise<LinkRig> {
    const [sqlite] = storeKinds();
    const location = await sqlite!.fresh();
    const store = await openStore(location.db, location.options);
    const logs: LogLine[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
    const clock = { now: RIG_START };
    const link = await startMachineLink(store, { mode: 'embedded', host: '127.0.0.1', port: 0 }, {
      heartbeatTimeoutSeconds: 600,
      // No poll: only a commit that queued pushes (or a drained worker) wakes the dispatcher.
      pollIntervalMs: 3_600_000,
      publishTimeoutMs: 5000,
      messageAgeWindowSeconds: options.messageAgeWindowSeconds ?? 0,
      clock: () => clock.now,
    }, logger);
    return new LinkRig(store, link, logs, clock, async () => {
      await store.close();
      await location.cleanup();
    });
  }

  get now(): number {
    return this.clock.now;
  }

  set now(value: number) {
    this.clock.now = value;
  }

  /** A test's write at the rig's clock, through the store as the services use it. */
  write<T>(change: (work: Work) => Promise<T>): Promise<T> {
    const author: Author = { actor: 'test', requestId: null, at: this.clock.now };
    return this.store.write(author, change);
  }

  /** A merchant, its machine (profile `link`, original when not given) and one product of capacity 200 with 5 in stock, channel A1. */
  async machine(link?: 'original' | 'extended', options: { webhook?: boolean } = {}): Promise<RigMachine> {
    const merchant = await createMerchant(this.store, { name: 'Rig merchant' });
    if (options.webhook) await setMerchantWebhook(this.store, merchant.merchant_id, { url: 'http://127.0.0.1:9/hook', allowPrivate: true });
    const machineNo = uniqueMachineNo();
    const created = await createMachine(this.store, { merchantId: merchant.merchant_id, machineNo, pickupCodes: true });
    const product = await createProduct(this.store, { machineNo, name: 'Water', price: '2.00', capacity: 200, inventory: 5, channel: 'A1' });
    if (link) await setMachine(this.store, machineNo, { link });
    const ref = (await machines.findLinked(this.store.db, machineNo))!;
    return { id: created.machine_id, machineNo, password: created.mqtt_password, appid: merchant.appid, merchantId: merchant.merchant_id, productId: product.id, ref };
  }

  /** The machine's MQTT login; `listen` subscribes it to its topic (which, on the embedded broker, tells the server it is listening). */
  async connect(machine: RigMachine, listen = true): Promise<WireMachine> {
    const client = await mqtt.connectAsync(this.link.brokerUrl, { username: machine.machineNo, password: machine.password, clientId: `rig-${machine.machineNo}`, clean: true, reconnectPeriod: 0 });
    this.clients.push(client);
    const wire = new WireMachine(client, machine, () => this.clock.now);
    if (listen) await wire.listen();
    return wire;
  }

  /** An original machine listening on its topic, once the catch-up its subscription asked for is queued and sent. */
  async listeningOriginal(machine: RigMachine): Promise<WireMachine> {
    const wire = await this.connect(machine);
    await eventually(() => this.logged('catch-up of an original machine queued').some((line) => line.machine_no === machine.machineNo), 'the catch-up of the subscription');
    await this.link.idle();
    return wire;
  }

  /** Every message handled or dropped so far. */
  done(): number {
    const { handled, dropped } = this.link.counters;
    return handled + Object.values(dropped).reduce((sum, count) => sum + count, 0);
  }

  /** Waits until `count` more messages than `before` were handled or dropped, then until the link has nothing in hand. */
  async settled(before: number, count = 1): Promise<void> {
    await eventually(() => this.done() >= before + count, `${count} machine message(s) handled or dropped`);
    await this.link.idle();
  }

  /** The log lines with this message. */
  logged(msg: string): LogLine[] {
    return this.logs.filter((line) => line.msg === msg);
  }

  async close(): Promise<void> {
    for (const client of this.clients) await client.endAsync(true);
    await this.link.close();
    await this.cleanup();
  }
}

/** A machine on the wire: what it received, and messages it sends as the firmware would (or not). */
export class WireMachine {
  readonly received: Received[] = [];
  /** The envelope of each message received, in the same order. */
  readonly envelopes: Array<{ timestamp: string; machine_id: string; client_id: string; status: string }> = [];
  constructor(
    private readonly client: MqttClient,
    readonly machine: RigMachine,
    private readonly clock: () => number,
  ) {
    client.on('message', (_topic, payload) => {
      const message = parseMachineMessage(payload);
      if (!message) throw new Error(`the server sent a malformed message: ${payload.toString()}`);
      const { timestamp, machine_id, client_id, method: _method, status, sign: _sign, ...fields } = message.fields;
      this.envelopes.push({ timestamp: timestamp!, machine_id: machine_id!, client_id: client_id!, status: status! });
      this.received.push({ method: message.method, fields, signed: signatureHolds(message, machine.appid) });
    });
  }

  /** Subscribes to the machine's topic (which, on the embedded broker, tells the server it is listening). */
  async listen(): Promise<void> {
    await this.client.subscribeAsync(machineTopic(this.machine.machineNo), { qos: 1 });
  }

  /** A message signed with the machine's Appid (or `appid`), its envelope as the firmware sends it. */
  async send(method: string, body: Record<string, string> = {}, envelope: { appid?: string; timestamp?: number; machineId?: string } = {}): Promise<void> {
    const payload = encodeMachineMessage(
      { machineId: envelope.machineId ?? String(this.machine.id), machineNo: this.machine.machineNo, method, timestamp: envelope.timestamp ?? this.clock() },
      body,
      envelope.appid ?? this.machine.appid,
    );
    await this.sendBytes(payload);
  }

  async sendBytes(payload: string | Buffer): Promise<void> {
    await this.client.publishAsync(SERVER_TOPIC, payload, { qos: 1 });
  }

  /** Waits until the machine received at least `count` messages; returns them all. */
  async receivedAtLeast(count: number): Promise<Received[]> {
    await eventually(() => this.received.length >= count, `the machine received ${count} message(s), not ${this.received.length}`);
    return this.received;
  }
}

/** The first wait of this test file that ran out: a link that lost a message once is not waited for again. */
let lost: string | undefined;

/**
 * Waits until `condition` holds, or fails after `timeoutMs` (long enough for a loaded CI
 * machine; it bounds a wait, it asserts no speed). Once one wait of the file ran out every
 * later one fails at once: a broken link (a mutant, in a mutation run) fails the file after
 * one wait, not once per test.
 */
export async function eventually(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (lost !== undefined) throw new Error(`not waited for (${what}): an earlier wait of this file ran out (${lost})`);
    if (Date.now() > deadline) {
      lost = what;
      throw new Error(`not within ${timeoutMs} ms: ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
