/**
 * A machine on the original firmware, as the original platform's MQTT pages describe it and
 * written apart from src/: a raw mqtt.js client that sends only the docs' messages, with
 * `machine_id` "000" as in their examples and a client id of its own, understands only
 * `client.pickup_codes.create` / `.delete` and `client.channel.debugging`, keeps its codes
 * by id, and ignores anything else (what it ignored is kept, for the tests to look at).
 */
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { LinkFixture } from './link.js';
import { pansyStyleSign } from './signing.js';

export class DocsMachine {
  /** The keypad list: code id → the create message's fields. */
  readonly codes = new Map<string, Record<string, string>>();
  /** Methods it received and did not know. */
  readonly ignored: string[] = [];
  readonly debugging: Array<Record<string, string>> = [];
  deletes = 0;
  private client: MqttClient | undefined;

  constructor(
    private url: string,
    private readonly fixture: LinkFixture,
  ) {}

  /** Ascending ids of the codes it holds. */
  heldIds(): number[] {
    return [...this.codes.keys()].map(Number).sort((a, b) => a - b);
  }

  /** Connects (again), to `url` if the broker moved (an embedded broker on a new port). */
  async connect(url = this.url): Promise<void> {
    this.url = url;
    const client = mqtt.connect(this.url, {
      clientId: `android-${randomBytes(4).toString('hex')}`,
      username: this.fixture.machineNo,
      password: this.fixture.password,
      clean: true,
      reconnectPeriod: 0,
      // offline.md: the firmware's last will.
      will: { topic: '/server/app', payload: Buffer.from(this.signed('client.offline', { reason: 'network_timeout' })), qos: 1, retain: false },
    });
    await new Promise((resolve, reject) => (client.once('connect', resolve), client.once('error', reject)));
    client.on('message', (_topic, payload) => this.receive(payload.toString('latin1')));
    await client.subscribeAsync(`/clients/${this.fixture.machineNo}`, { qos: 1 });
    this.client = client;
  }

  async disconnect(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.endAsync();
  }

  /** Loses its connection without a word: the broker publishes its last will. */
  crash(): void {
    const client = this.client;
    this.client = undefined;
    client?.stream.destroy();
    client?.end(true);
  }

  /** Publishes a docs message to `/server/app`. */
  async send(method: string, fields: Record<string, string>): Promise<void> {
    await this.client!.publishAsync('/server/app', this.signed(method, fields), { qos: 1 });
  }

  /** A docs message as the firmware writes it: signed with the Appid, machine_id "000". */
  private signed(method: string, fields: Record<string, string>): string {
    const message: Record<string, string> = {
      timestamp: String(Math.floor(Date.now() / 1000)),
      machine_id: '000',
      method,
      client_id: this.fixture.machineNo,
      ...fields,
      status: '0',
    };
    message.sign = pansyStyleSign(message, this.fixture.merchant.appid);
    return Buffer.from(JSON.stringify(message)).toString('base64');
  }

  private receive(text: string): void {
    const fields = JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as Record<string, string>;
    if (fields.sign !== pansyStyleSign(fields, this.fixture.merchant.appid)) throw new Error('a message failed the signature check');
    switch (fields.method) {
      case 'client.pickup_codes.create':
        this.codes.set(fields.id!, fields);
        break;
      case 'client.pickup_codes.delete':
        this.deletes++;
        this.codes.delete(fields.id!);
        break;
      case 'client.channel.debugging':
        this.debugging.push(fields);
        break;
      default:
        this.ignored.push(fields.method ?? '');
    }
  }
}
