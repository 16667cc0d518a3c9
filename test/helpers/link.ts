/** Servers with a real machine link (embedded aedes or the local Mosquitto), and simulated machines. */
import { randomBytes, randomInt } from 'node:crypto';
import type { CallbacksConfig, HousekeepingConfig, LinkConfig, MqttOptions, ServerConfig } from '../../src/config.js';
import { MachineSimulator, type MachineSimulatorOptions } from '../../src/link/machine-simulator.js';
import { createMachine, createMerchant, createProduct, type MerchantCredentials } from '../../src/service/admin.js';
import { startServer, type RunningServer } from '../../src/server.js';
import type { Store, StoreOptions } from '../../src/store/store.js';
import { ShapeCheck } from './response-shapes.js';
import { asMerchant } from './server.js';
import type { Component } from './components.js';
import type { StoreKind } from './stores.js';

export const MOSQUITTO_URL = 'mqtt://127.0.0.1:1883';

export interface BrokerMode {
  name: 'embedded' | 'mosquitto';
  /** The outside components a test in this mode needs (see ./components.ts). */
  needs: Component[];
  mqtt(): MqttOptions;
}

let groupCounter = 0;

export function brokerModes(): BrokerMode[] {
  return [
    { name: 'embedded', needs: [], mqtt: () => ({ mode: 'embedded', host: '127.0.0.1', port: 0 }) },
    // Other test runs share this Mosquitto: a share group of our own keeps their machine
    // messages away from this server, and unique machine numbers keep topics apart.
    { name: 'mosquitto', needs: ['mosquitto'], mqtt: () => ({ mode: 'external', url: MOSQUITTO_URL, shareGroup: `vctest${process.pid}x${++groupCounter}` }) },
  ];
}

/** Settings of the server besides its link (e.g. a shortened delivery timeout). */
export interface ServerSettings {
  config?: Partial<ServerConfig>;
  housekeeping?: Partial<HousekeepingConfig>;
  /** The callback sender's settings (docs/callbacks.md). */
  callbacks?: Partial<CallbacksConfig>;
}

/** A server over one database that can be stopped and started again on it, as a restart does. */
export class LinkedServer {
  server!: RunningServer;
  private readonly shapes = new ShapeCheck();
  private running = false;
  private constructor(
    private readonly location: { db: string; options: StoreOptions; cleanup(): Promise<void> },
    private mqttOptions: MqttOptions,
    private readonly linkOptions: Partial<LinkConfig>,
    private readonly more: ServerSettings = {},
  ) {}

  static async start(kind: StoreKind, mqtt: MqttOptions, link: Partial<LinkConfig> = {}, more: ServerSettings = {}): Promise<LinkedServer> {
    const linked = new LinkedServer(await kind.fresh(), mqtt, link, more);
    await linked.open();
    return linked;
  }

  /** Another instance on the same database (PostgreSQL: a SQLite file belongs to one process). */
  async alongside(mqtt: MqttOptions): Promise<LinkedServer> {
    const sibling = new LinkedServer(this.location, mqtt, this.linkOptions, this.more);
    await sibling.open();
    return sibling;
  }

  get store(): Store {
    return this.server.store;
  }

  /** Where machines connect. */
  get brokerUrl(): string {
    return this.server.link!.brokerUrl;
  }

  private async open(): Promise<void> {
    this.server = await startServer({
      db: this.location.db,
      store: this.location.options,
      port: 0,
      logger: false,
      config: { merchantCacheSeconds: 0, ...this.more.config },
      ...(this.more.housekeeping ? { housekeeping: this.more.housekeeping } : {}),
      mqtt: this.mqttOptions,
      link: { pollIntervalMs: 200, ...this.linkOptions },
      ...(this.more.callbacks ? { callbacks: this.more.callbacks } : {}),
      extendApp: (app) => this.shapes.watch(app),
    });
    this.running = true;
  }

  async restart(mqtt: MqttOptions = this.mqttOptions): Promise<void> {
    await this.stop();
    await this.start(mqtt);
  }

  /** Stops the server (and its embedded broker), keeping the database for `start`. */
  async stop(): Promise<void> {
    this.running = false;
    await this.server.close();
  }

  async start(mqtt: MqttOptions = this.mqttOptions): Promise<void> {
    this.mqttOptions = mqtt;
    await this.open();
  }

  async close(): Promise<void> {
    if (this.running) await this.stop();
    await this.location.cleanup();
    this.shapes.assertNone();
  }
}

/** 12 random digits: unique enough that parallel runs on one Mosquitto never share a topic. */
export function uniqueMachineNo(): string {
  return String(randomInt(100_000_000_000, 999_999_999_999));
}

export interface LinkFixture {
  merchant: MerchantCredentials;
  machineNo: string;
  password: string;
  productId: number;
}

export async function seedMachine(store: Store, merchant?: MerchantCredentials): Promise<LinkFixture> {
  const owner = merchant ?? (await createMerchant(store, { name: 'Link merchant' }));
  const machineNo = uniqueMachineNo();
  const machine = await createMachine(store, { merchantId: owner.merchant_id, machineNo, pickupCodes: true });
  const product = await createProduct(store, { machineNo, name: 'Water', price: '2.00', capacity: 200, inventory: 200, channel: 'A1' });
  return { merchant: owner, machineNo, password: machine.mqtt_password, productId: product.id };
}

export function simulator(url: string, fixture: LinkFixture, options: Partial<MachineSimulatorOptions> = {}): MachineSimulator {
  return new MachineSimulator({ url, machineNo: fixture.machineNo, password: fixture.password, appid: fixture.merchant.appid, ...options });
}

/** Waits until `condition` holds, or fails after `timeoutMs`. */
export async function eventually(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The Open API as the fixture's merchant uses it for its machine. */
export function merchantApi(baseUrl: string, fixture: LinkFixture) {
  const signed = asMerchant(baseUrl, fixture.merchant);
  // A fresh nonce per call, as the SDK sends: each call runs once, whatever the network does.
  const send: typeof signed = (path, fields, method) => signed(path, fields && { ...fields, nonce: randomBytes(8).toString('hex') }, method);
  const machine_no = fixture.machineNo;
  return {
    async createCodes(count: number): Promise<Array<{ id: number; code: string }>> {
      const answer = await send('/pickup_codes', { machine_no, method: 'pickup_code.product.id', product_id: String(fixture.productId), count: String(count) });
      if (answer.body.code !== 0) throw new Error(`create failed: ${JSON.stringify(answer.body)}`);
      return answer.body.data.codes;
    },
    async cancel(id: number): Promise<void> {
      const answer = await send('/pickup_codes', { machine_no, method: 'pickup_code.delete.id', id: String(id) }, 'PUT');
      if (answer.body.code !== 0) throw new Error(`cancel failed: ${JSON.stringify(answer.body)}`);
    },
    async cancelAll(): Promise<number> {
      const answer = await send('/pickup_codes', { machine_no, method: 'pickup_code.delete.all' }, 'PUT');
      if (answer.body.code !== 0) throw new Error(`cancel-all failed: ${JSON.stringify(answer.body)}`);
      return answer.body.data.count ?? 0;
    },
    /** Codes of the machine with this status (UNUSED = the list the machine should hold). */
    async query(status: 'UNUSED' | 'USED' | 'CANCELLED'): Promise<Array<{ id: number; code: string; order_id?: number; status: string }>> {
      const answer = await send('/pickup_codes/query', { machine_no, status, per_page: '100' });
      if (answer.body.code !== 0) throw new Error(`query failed: ${JSON.stringify(answer.body)}`);
      // An empty page leaves its list out (a zero value).
      return answer.body.data.data ?? [];
    },
    async machineDetail(): Promise<{ is_online?: boolean }> {
      const answer = await send(`/rent/machines/${machine_no}`, undefined);
      return answer.body.data;
    },
  };
}

/** The ids a machine holds, as numbers, ascending. */
export function heldIds(machine: MachineSimulator): number[] {
  return machine.codes().map((code) => Number(code.id));
}

export function sameIds(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((id, index) => id === b[index]);
}
