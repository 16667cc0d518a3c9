/**
 * What the two machines in software share (machine-simulator.ts, the firmware that speaks the
 * extensions; machine-simulator-original.ts, the original firmware): the login of a machine
 * to the broker (its machine_no and MQTT password, `client.offline` as its last will), the
 * server's messages checked before either reads them, the local list of codes, the heartbeat
 * and its timer, and publishing to the server's topic. What each sends and understands
 * beyond that is its own.
 */
import { EventEmitter } from 'node:events';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { MACHINE_METHOD, SERVER_TOPIC } from '../protocol/machine-messages.js';
import type { MachineCode } from './machine-codes.js';
import type { MachineSimulatorOptions } from './machine-simulator-options.js';
import { parseMachineMessage, signatureHolds, type ReceivedMessage } from './message.js';
import { withoutNagleDelay } from './no-delay.js';

export abstract class SimulatedMachine extends EventEmitter {
  /** The local list of codes, by id. */
  protected readonly list = new Map<string, MachineCode>();
  protected client: MqttClient | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  protected readonly log: (line: string) => void;
  /** Messages from the server, and those of them dropped by the check. */
  abstract readonly counters: { received: number; dropped: number };
  /** The network its heartbeat names unless the options say otherwise. */
  protected abstract readonly network: { type: string; rssi: string };
  /** Fields its heartbeat carries after the docs' ones. */
  protected readonly heartbeatExtension: Record<string, string> = {};

  constructor(protected readonly options: MachineSimulatorOptions) {
    super();
    this.log = options.log ?? (() => undefined);
  }

  /** A signed message of this machine. */
  protected abstract message(method: string, body: Record<string, string>): string;

  /** A message from the server: what the machine does with it. */
  protected abstract receive(bytes: Uint8Array): void;

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** The local list, ascending id. */
  codes(): MachineCode[] {
    return [...this.list.values()].sort((a, b) => Number(a.id) - Number(b.id));
  }

  /** Logs in to the broker as the machine, its last will a `client.offline` for `willReason`; the server's messages go to `receive`. */
  protected login(clientId: string, willReason: string, extra: Pick<IClientOptions, 'ca' | 'resubscribe'> = {}): MqttClient {
    const client = mqtt.connect(this.options.url, {
      ...extra,
      clientId,
      username: this.options.machineNo,
      password: this.options.password,
      clean: true,
      reconnectPeriod: 500,
      connectTimeout: 5000,
      will: { topic: SERVER_TOPIC, payload: Buffer.from(this.message(MACHINE_METHOD.OFFLINE, { reason: willReason })), qos: 1, retain: false },
    });
    this.client = withoutNagleDelay(client);
    client.on('message', (_topic, payload) => this.receive(payload));
    return client;
  }

  /** The login failed before it was ever accepted (refused, or no broker): the client is let go. */
  protected loginFailed(client: MqttClient): void {
    this.client = undefined;
    client.end(true);
  }

  /** The server's message when it is for this machine and signed with its merchant's Appid; otherwise undefined, and counted as dropped. */
  protected checked(bytes: Uint8Array): ReceivedMessage | undefined {
    this.counters.received++;
    const message = parseMachineMessage(bytes);
    if (message && message.clientId === this.options.machineNo && signatureHolds(message, this.options.appid)) return message;
    this.counters.dropped++;
    return undefined;
  }

  protected startHeartbeat(): void {
    this.heartbeat = setInterval(() => void this.sendHeartbeat(), (this.options.heartbeatSeconds ?? 300) * 1000);
    this.heartbeat.unref();
  }

  async sendHeartbeat(): Promise<void> {
    if (!this.client?.connected) return;
    await this.publish(MACHINE_METHOD.HEARTBEAT, {
      network_type: this.options.networkType ?? this.network.type,
      network_rssi: this.options.networkRssi ?? this.network.rssi,
      uptime_minutes_today: String(Math.floor(process.uptime() / 60)),
      ...this.heartbeatExtension,
    });
  }

  /** Drops the connection (a DISCONNECT: no last will). */
  async disconnect(): Promise<void> {
    this.stopTimers();
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync();
  }

  protected stopTimers(): void {
    clearInterval(this.heartbeat);
  }

  protected requireClient(): MqttClient {
    if (!this.client) throw new Error('not connected');
    return this.client;
  }

  protected async publish(method: string, body: Record<string, string>): Promise<void> {
    await this.requireClient().publishAsync(SERVER_TOPIC, this.message(method, body), { qos: 1 });
  }
}
