/**
 * The embedded broker's limits, from real sockets: a packet over its size closes its
 * connection only, before its body is kept; connections that never log in are capped and
 * timed out; a machine's messages are metered; machines may not publish retained messages.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from '../helpers/node-test.js';
import mqtt from 'mqtt';
import { SERVER_TOPIC } from '../../src/protocol/machine-messages.js';
import { call } from '../helpers/server.js';
import { eventually, LinkedServer, merchantApi, seedMachine, simulator, type LinkFixture } from '../helpers/link.js';
import { storeKinds } from '../helpers/stores.js';

/** A TCP connection to the broker that says nothing yet. */
async function rawSocket(port: number): Promise<{ socket: Socket; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined); // writes after the broker closed it fail; that is the point
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await once(socket, 'connect');
  return { socket, closed };
}

/** The fixed header of an MQTT packet declaring `length` bytes after it. */
function fixedHeader(type: number, length: number): Buffer {
  const bytes = [type << 4];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    bytes.push(byte);
  } while (length > 0);
  return Buffer.from(bytes);
}

/** Resolves when the client's connection closes (or its attempt failed). */
function whenClosed(client: mqtt.MqttClient): Promise<void> {
  return new Promise((resolve) => client.once('close', () => resolve()));
}

async function loggedIn(url: string, machine: LinkFixture): Promise<mqtt.MqttClient> {
  const client = mqtt.connect(url, { clientId: machine.machineNo, username: machine.machineNo, password: machine.password, reconnectPeriod: 0 });
  await new Promise((resolve, reject) => (client.once('connect', resolve), client.once('error', reject)));
  return client;
}

for (const kind of storeKinds()) {
  describe(`the embedded broker's limits (${kind.name})`, { skip: kind.skip }, () => {
    let linked: LinkedServer;
    before(async () => {
      linked = await LinkedServer.start(kind, {
        mode: 'embedded',
        host: '127.0.0.1',
        port: 0,
        limits: { connectTimeoutMs: 1000, machineMessageBurst: 5, machineMessagesPerSecond: 0.01 },
      });
    });
    after(async () => linked?.close());
    const port = () => linked.server.link!.brokerPort!;
    const counters = () => linked.server.link!.counters;

    it('a CONNECT declaring 200 MB is closed at its header, and each of four such sockets is', async () => {
      const before = counters().limits.oversized;
      const sockets = await Promise.all([1, 2, 3, 4].map(() => rawSocket(port())));
      for (const { socket } of sockets) {
        socket.write(fixedHeader(1, 200 * 1024 * 1024));
        socket.write(Buffer.alloc(1024 * 1024, 0x61));
      }
      await Promise.all(sockets.map((s) => s.closed));
      assert.equal(counters().limits.oversized, before + 4);
    });

    it('a CONNECT over 4 KiB is refused; one under it logs in', async () => {
      const machine = await seedMachine(linked.store);
      const before = counters().limits.oversized;
      const bloated = mqtt.connect(linked.brokerUrl, { clientId: machine.machineNo, username: machine.machineNo, password: `${machine.password}${'x'.repeat(5000)}`, reconnectPeriod: 0 });
      bloated.on('error', () => undefined);
      await whenClosed(bloated);
      bloated.end(true);
      assert.equal(counters().limits.oversized, before + 1);
      const client = await loggedIn(linked.brokerUrl, machine);
      await client.endAsync();
    });

    it('a logged-in machine sending 2 MB is disconnected while the API answers and another machine keeps its link', async () => {
      const sender = await seedMachine(linked.store);
      const bystander = await seedMachine(linked.store, sender.merchant);
      const other = simulator(linked.brokerUrl, bystander);
      await other.connect();
      const client = await loggedIn(linked.brokerUrl, sender);
      client.on('error', () => undefined);
      const before = counters().limits.oversized;
      const closed = whenClosed(client);
      client.publish(SERVER_TOPIC, Buffer.alloc(2 * 1024 * 1024, 0x61), { qos: 1 });
      const ping = await call(linked.server.url, '/ping', { appid: sender.merchant.appid, secret: sender.merchant.app_secret });
      assert.equal(ping.body.code, 0);
      await closed;
      client.end(true);
      assert.equal(counters().limits.oversized, before + 1);
      const [code] = await merchantApi(linked.server.url, bystander).createCodes(1);
      await eventually(() => other.codes().some((held) => Number(held.id) === code!.id), 'the other machine receives its new code');
      await other.disconnect();
    });

    it('a connection that sends no CONNECT is closed after the connect timeout', async () => {
      const { closed } = await rawSocket(port());
      await closed;
    });

    it('a machine over its message rate is disconnected and counted', async () => {
      const machine = await seedMachine(linked.store);
      const client = await loggedIn(linked.brokerUrl, machine);
      client.on('error', () => undefined);
      const before = counters().limits.overRate;
      const closed = whenClosed(client);
      for (let i = 0; i < 6; i++) client.publish(SERVER_TOPIC, Buffer.from('not a machine message'), { qos: 0 });
      await closed;
      client.end(true);
      assert.equal(counters().limits.overRate, before + 1);
    });

    it('a machine may not publish a retained message', async () => {
      const machine = await seedMachine(linked.store);
      const client = await loggedIn(linked.brokerUrl, machine);
      client.on('error', () => undefined);
      const before = counters().limits.retained;
      const closed = whenClosed(client);
      client.publish(SERVER_TOPIC, Buffer.from('x'), { qos: 1, retain: true });
      await closed;
      client.end(true);
      assert.equal(counters().limits.retained, before + 1);
    });
  });

  describe(`the cap on connections not logged in (${kind.name})`, { skip: kind.skip }, () => {
    // A broker of its own: the sockets held open here must not crowd the other tests' logins.
    let capped: LinkedServer;
    before(async () => {
      capped = await LinkedServer.start(kind, { mode: 'embedded', host: '127.0.0.1', port: 0, limits: { maxPendingConnections: 4 } });
    });
    after(async () => capped?.close());

    it('connections that have not logged in are capped; once they go, machines log in again', async () => {
      const before = capped.server.link!.counters.limits.pendingCap;
      const idle = await Promise.all([1, 2, 3, 4].map(() => rawSocket(capped.server.link!.brokerPort!)));
      const fifth = await rawSocket(capped.server.link!.brokerPort!);
      await fifth.closed;
      assert.equal(capped.server.link!.counters.limits.pendingCap, before + 1);
      for (const { socket } of idle) socket.destroy();
      await Promise.all(idle.map((s) => s.closed));
      const machine = await seedMachine(capped.store);
      await eventually(async () => {
        try {
          await (await loggedIn(capped.brokerUrl, machine)).endAsync();
          return true;
        } catch {
          return false;
        }
      }, 'a machine logs in once the idle connections are gone');
    });
  });
}
