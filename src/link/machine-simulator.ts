/**
 * A vending machine in software: it logs in with its machine_no and MQTT password, keeps
 * its local list of pickup codes from the server's create/delete/sync messages, asks for
 * its whole list after every (re)connect, sends heartbeats, and redeems codes typed on its
 * "keypad" against that local list (locked after wrong codes in a row: keypad-lock.ts). Each
 * redemption is reported with a report id and sent again, after every (re)connect and on a
 * timer, until the server acknowledges it. `vendcloud machine-sim` drives it; tests import it.
 */
import type { MqttClient } from 'mqtt';
import { nowSeconds } from '../protocol/time.js';
import { encodeMachineMessage, EXTENDED_LINK_FIELD, EXTENDED_LINK_VALUE, MACHINE_METHOD, machineTopic, SERVER_TOPIC } from '../protocol/machine-messages.js';
import { KeypadLock } from './keypad-lock.js';
import { syncedCodes, toMachineCode, VendedIds, type MachineCode } from './machine-codes.js';
import type { MachineSimulatorOptions } from './machine-simulator-options.js';
import { SimulatedVending } from './machine-vending.js';
import { publishUnlessClosed } from './publish-unless-closed.js';
import { SimulatedMachine } from './simulated-machine.js';
import { UnacknowledgedReports, type UnacknowledgedReport } from './unacknowledged-reports.js';

export type { MachineSimulatorOptions };

export type RedeemOutcome = { ok: true; code: MachineCode } | { ok: false; reason: 'unknown code' | 'expired' | 'keypad locked' };

export class MachineSimulator extends SimulatedMachine {
  private readonly vended = new VendedIds();
  private readonly reports: UnacknowledgedReports;
  private resendTimer: NodeJS.Timeout | undefined;
  machineId = '0'; // learned from the server's messages
  revision = -1;
  readonly counters = { received: 0, dropped: 0, syncs: 0, acknowledgements: 0 };
  protected readonly network = { type: 'wifi', rssi: '-60' };
  // It says in every heartbeat that it speaks the extensions.
  protected override readonly heartbeatExtension = { [EXTENDED_LINK_FIELD]: EXTENDED_LINK_VALUE };
  /** Vend commands and their results (machine-vending.ts); `vending.fault` injects a fault. */
  readonly vending: SimulatedVending;
  readonly keypad: KeypadLock;

  constructor(options: MachineSimulatorOptions) {
    super(options);
    const sendResult = async (method: string, body: Record<string, string>) => !!this.client?.connected && publishUnlessClosed(this.client, SERVER_TOPIC, this.message(method, body));
    this.vending = new SimulatedVending(options, sendResult, this.log, nowSeconds);
    this.keypad = new KeypadLock(options.keypadLock ?? {}, sendResult, this.log);
    this.reports = new UnacknowledgedReports(options.reportsFile);
    // A code whose report is still waiting was vended by an earlier run: never offer it again.
    for (const report of this.reports.all()) this.vended.remember(report.codeId);
  }

  /** Redemptions the server has not acknowledged yet, oldest first. */
  unacknowledgedReports(): UnacknowledgedReport[] {
    return this.reports.all();
  }

  /** Connects; resolves once subscribed (and the pull sent), rejects if the broker refuses. */
  async connect(): Promise<void> {
    if (this.client) return;
    const client = this.login(this.options.machineNo, 'connection lost', { ...(this.options.ca ? { ca: this.options.ca } : {}), resubscribe: false });
    let settled = false;
    await new Promise<void>((resolve, reject) => {
      client.on('connect', () => {
        this.onConnect(client).then(
          () => {
            if (!settled) {
              settled = true;
              resolve();
            }
          },
          (error: unknown) => this.log(`cannot subscribe: ${(error as Error).message}`),
        );
      });
      client.on('error', (error) => {
        this.log(`mqtt error: ${error.message}`);
        if (!settled) {
          settled = true;
          this.loginFailed(client);
          reject(error);
        }
      });
    });
    this.startHeartbeat();
    const resendMs = (this.options.resendSeconds ?? 30) * 1000;
    this.resendTimer = setInterval(() => void this.sendReports(this.reports.due(Date.now() - resendMs)).then(() => this.vending.resend()), resendMs);
    this.resendTimer.unref();
  }

  private async onConnect(client: MqttClient): Promise<void> {
    this.log(`connected to ${this.options.url} as ${this.options.machineNo}`);
    await this.sendHeartbeat(); // first: it says this machine speaks the extensions, before it listens
    await client.subscribeAsync(machineTopic(this.options.machineNo), { qos: 1 });
    // Before the pull: the server handles a machine's messages in order, so the list it
    // sends back already counts these codes as used.
    await this.sendReports(this.reports.all());
    await this.vending.resend();
    if (this.options.pullOnConnect !== false) {
      this.log('asking for the whole code list (pull)');
      await this.publish(MACHINE_METHOD.PULL, {});
    }
    this.emit('online');
  }

  /** Subscribes to any topic; the granted QoS (128 = refused). For access tests. */
  async trySubscribe(topic: string): Promise<number> {
    try {
      const granted = await this.requireClient().subscribeAsync(topic, { qos: 1 });
      return granted[0]?.qos ?? 128;
    } catch (error) {
      // mqtt.js turns a refused subscription (SUBACK 0x80) into an error.
      if ((error as Error).name === 'ErrorWithSubackPacket' || /Subscribe error/.test((error as Error).message)) return 128;
      throw error;
    }
  }

  /** Publishes raw bytes anywhere. For access tests. */
  async publishRaw(topic: string, payload: string | Buffer): Promise<void> {
    await this.requireClient().publishAsync(topic, payload, { qos: 1 });
  }

  /** A signed message of this machine, with fields overridden as given (tests impersonate with it). */
  override message(method: string, body: Record<string, string>, envelope: { machineNo?: string; appid?: string } = {}): string {
    return encodeMachineMessage(
      { machineId: this.machineId, machineNo: envelope.machineNo ?? this.options.machineNo, method, timestamp: nowSeconds() },
      body,
      envelope.appid ?? this.options.appid,
    );
  }

  /** A customer types `code`: vend if the local list holds it unexpired, then report it. */
  async redeem(code: string): Promise<RedeemOutcome> {
    if (this.keypad.locked()) return { ok: false, reason: 'keypad locked' };
    const entry = [...this.list.values()].find((candidate) => candidate.code === code);
    if (!entry) return this.keypad.wrongCode(code);
    if (entry.expired_at !== '0' && Number(entry.expired_at) <= Date.now()) {
      this.log(`refused ${code}: expired ${entry.expired_day}`);
      return { ok: false, reason: 'expired' };
    }
    this.keypad.rightCode();
    this.list.delete(entry.id);
    this.vended.remember(entry.id);
    // Written down before the item leaves, so no redemption goes unreported.
    const report = this.reports.add(entry.id);
    this.log(`vending product ${entry.product_id} for code ${code} (id ${entry.id})`);
    this.emit('change');
    await this.sendReports([report]);
    return { ok: true, code: entry };
  }

  /**
   * Sends reports to the broker (QoS 1, each after the previous one's PUBACK). While the
   * link is down nothing goes out: every waiting report is sent again after the reconnect.
   */
  private async sendReports(reports: UnacknowledgedReport[]): Promise<void> {
    for (const report of reports) {
      const client = this.client;
      if (!client?.connected) return;
      this.reports.markSent(report.reportId, Date.now());
      try {
        const message = this.message(MACHINE_METHOD.CODE_REDEEMED, { id: report.codeId, used: '1', report_id: report.reportId });
        if (!(await publishUnlessClosed(client, SERVER_TOPIC, message))) {
          this.log(`report ${report.reportId} not confirmed before the connection closed; sending it again after the reconnect`);
          return;
        }
        this.log(`reported code id ${report.codeId} as used (report ${report.reportId})`);
      } catch (error) {
        this.log(`report ${report.reportId} not sent (${(error as Error).message}); sending it again later`);
      }
    }
  }

  /** Says goodbye (client.offline) and disconnects. */
  async goOffline(reason = 'maintenance'): Promise<void> {
    if (!this.client) return;
    if (this.client.connected) await this.publish(MACHINE_METHOD.OFFLINE, { reason });
    await this.disconnect();
    this.log(`offline (${reason})`);
  }

  /** Closes the socket without DISCONNECT, so the broker publishes the last will. */
  crash(): void {
    this.stopTimers();
    const client = this.client;
    this.client = undefined;
    client?.stream.destroy();
    client?.end(true);
  }

  protected override stopTimers(): void {
    super.stopTimers();
    clearInterval(this.resendTimer);
  }

  protected receive(bytes: Uint8Array): void {
    const message = this.checked(bytes);
    if (!message) {
      this.log('dropped a message that failed the signature check');
      return;
    }
    const fields = message.fields;
    if (fields.machine_id) this.machineId = fields.machine_id;
    switch (message.method) {
      case MACHINE_METHOD.CODE_CREATED: {
        const code = toMachineCode(fields);
        if (!code || this.vended.has(code.id)) break;
        this.list.set(code.id, code);
        this.log(`+ code ${code.code} (id ${code.id}, product ${code.product_id}${code.expired_day ? `, until ${code.expired_day}` : ''})`);
        break;
      }
      case MACHINE_METHOD.CODE_DELETED:
        if (fields.id && this.list.delete(fields.id)) this.log(`- code id ${fields.id}`);
        break;
      case MACHINE_METHOD.REPORT_ACKNOWLEDGED:
        this.counters.acknowledgements++;
        if (this.reports.acknowledge(fields.report_id ?? '', fields.id ?? '')) this.log(`report ${fields.report_id} acknowledged: ${fields.outcome}`);
        this.emit('acknowledged', { reportId: fields.report_id, codeId: fields.id, outcome: fields.outcome });
        return;
      case MACHINE_METHOD.VEND:
        void this.vending.vend(fields).then(() => this.emit('vended', fields.delivery_id));
        return;
      case MACHINE_METHOD.VEND_RESULT_ACKNOWLEDGED:
        if (this.vending.acknowledge(fields.report_id ?? '')) this.log(`result ${fields.report_id} acknowledged: ${fields.outcome}`);
        return;
      case MACHINE_METHOD.CODES_SYNC: {
        const revision = Number(fields.revision);
        if (!Number.isFinite(revision) || revision < this.revision) {
          this.log(`ignored an older list (revision ${fields.revision})`);
          break;
        }
        const codes = syncedCodes(fields.codes);
        if (!codes) {
          this.counters.dropped++;
          break;
        }
        this.revision = revision;
        this.list.clear();
        for (const code of codes) if (!this.vended.has(code.id)) this.list.set(code.id, code);
        this.counters.syncs++;
        this.log(`whole list received (revision ${revision}): ${this.list.size} code${this.list.size === 1 ? '' : 's'}`);
        break;
      }
      default:
        this.log(`ignored method ${message.method}`);
        return;
    }
    this.emit('change');
  }
}
