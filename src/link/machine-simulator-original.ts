/**
 * A vending machine on the original platform's firmware, in software (`vendcloud machine-sim
 * --firmware original`): it sends and understands exactly the messages of the original MQTT
 * pages and no extension. It sends `machine_id` "000" as the docs' examples do, a client id of
 * its own, and `client.offline` as its last will; keeps its codes by id from
 * `client.pickup_codes.create` / `.delete`; handles expiry itself; redeems at its keypad and
 * reports with `client.pickup_codes.put` (no report id: nothing acknowledges it, so it is sent
 * once); vends a `client.channel.debugging` test; after each vend reports the product's stock
 * with `client.product.put` when it knows it (`stock`). Anything else it ignores.
 */
import { randomBytes } from 'node:crypto';
import { encodeMachineMessage, MACHINE_METHOD, machineTopic } from '../protocol/machine-messages.js';
import { nowSeconds } from '../protocol/time.js';
import { toMachineCode } from './machine-codes.js';
import type { MachineSimulatorOptions } from './machine-simulator-options.js';
import type { RedeemOutcome } from './machine-simulator.js';
import { SimulatedMachine } from './simulated-machine.js';

/** The docs' examples send this machine_id; the firmware never learns another. */
const DOCS_MACHINE_ID = '000';

export class OriginalMachineSimulator extends SimulatedMachine {
  /** Items in stock per product id, as the machine counts them (options.stock). */
  private readonly stock: Map<string, number>;
  readonly counters = { received: 0, dropped: 0, ignored: 0, testVends: 0 };
  protected readonly network = { type: '4G', rssi: '-67' };

  constructor(options: MachineSimulatorOptions) {
    super(options);
    this.stock = new Map(Object.entries(options.stock ?? {}));
  }

  /** Connects and subscribes; rejects if the broker refuses. */
  async connect(): Promise<void> {
    if (this.client) return;
    const client = this.login(`original-${this.options.machineNo}-${randomBytes(3).toString('hex')}`, 'network_timeout');
    client.on('connect', () => {
      this.log(`connected to ${this.options.url} as ${this.options.machineNo} (original firmware)`);
      void this.sendHeartbeat();
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', (error) => {
        this.loginFailed(client);
        reject(error);
      });
    });
    await client.subscribeAsync(machineTopic(this.options.machineNo), { qos: 1 });
    this.startHeartbeat();
    this.emit('online');
  }

  /** Says goodbye with the docs' `client.offline` and disconnects. */
  async goOffline(reason = 'maintenance'): Promise<void> {
    if (this.client?.connected) await this.publish(MACHINE_METHOD.OFFLINE, { reason });
    await this.disconnect();
    this.log(`offline (${reason})`);
  }

  /** A customer types `code`: vend if the local list holds it unexpired, then report it once. */
  async redeem(code: string): Promise<RedeemOutcome> {
    const entry = [...this.list.values()].find((candidate) => candidate.code === code);
    if (!entry) return { ok: false, reason: 'unknown code' };
    if (entry.expired_at !== '0' && Number(entry.expired_at) <= Date.now()) {
      // expired_at is for the firmware to handle (client.pickup_codes.create.md): it forgets the code.
      this.list.delete(entry.id);
      return { ok: false, reason: 'expired' };
    }
    this.list.delete(entry.id);
    this.log(`vending product ${entry.product_id} for code ${code} (id ${entry.id})`);
    this.emit('change');
    if (this.client?.connected) await this.publish(MACHINE_METHOD.CODE_REDEEMED, { id: entry.id, used: '1' });
    await this.afterVend(entry.product_id);
    return { ok: true, code: entry };
  }

  /** One item of the product left: the machine reports its count (product.put.md), when it keeps one. */
  private async afterVend(productId: string): Promise<void> {
    const left = this.stock.get(productId);
    if (left === undefined) return;
    this.stock.set(productId, Math.max(0, left - 1));
    if (this.client?.connected) await this.publish(MACHINE_METHOD.PRODUCT_PUT, { product_id: productId, current_inventory: String(this.stock.get(productId)) });
  }

  protected message(method: string, body: Record<string, string>): string {
    return encodeMachineMessage({ machineId: DOCS_MACHINE_ID, machineNo: this.options.machineNo, method, timestamp: nowSeconds() }, body, this.options.appid);
  }

  protected receive(bytes: Uint8Array): void {
    const message = this.checked(bytes);
    if (!message) return;
    const fields = message.fields;
    switch (message.method) {
      case MACHINE_METHOD.CODE_CREATED: {
        const code = toMachineCode(fields);
        if (code) this.list.set(code.id, code);
        break;
      }
      case MACHINE_METHOD.CODE_DELETED:
        if (!fields.id || !this.list.delete(fields.id)) return;
        break;
      case MACHINE_METHOD.CHANNEL_DEBUGGING:
        // channel.debugging.md: test vends only; the server records no result.
        if (fields.order_type !== 'test') return;
        this.counters.testVends++;
        this.log(`test vend of channel ${fields.code} (board ${fields.addr})`);
        this.emit('test-vend', fields);
        return;
      default:
        this.counters.ignored++;
        return;
    }
    this.emit('change');
  }
}
