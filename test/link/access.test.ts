/**
 * Who may do what on the embedded broker (MACHINE-LINK.md "Broker"), and what the server does
 * with machine messages, good and bad. Mosquitto here allows anonymous clients, so these run
 * on the embedded broker only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import mqtt from 'mqtt';
import { encodeMachineMessage, MACHINE_METHOD, SERVER_TOPIC } from '../../src/protocol/machine-messages.js';
import { eventually, LinkedServer, merchantApi, seedMachine, simulator } from '../helpers/link.js';
import { storeKinds } from '../helpers/stores.js';

for (const kind of storeKinds()) {
  describe(`machine access on the embedded broker (${kind.name})`, { skip: kind.skip }, () => {
    let linked: LinkedServer;
    before(async () => {
      linked = await LinkedServer.start(kind, { mode: 'embedded', host: '127.0.0.1', port: 0 }, { heartbeatTimeoutSeconds: 1 });
    });
    after(async () => linked?.close());

    it('a wrong password and an unknown machine are refused; any client id is accepted, but not one held by another machine', async () => {
      const a = await seedMachine(linked.store);
      const b = await seedMachine(linked.store, a.merchant);
      const refusedBefore = linked.server.link!.counters.refusedLogins;
      await assert.rejects(simulator(linked.brokerUrl, { ...a, password: `${a.password}x` }).connect(), /Bad username or password|Not authorized/i);
      await assert.rejects(simulator(linked.brokerUrl, { ...a, machineNo: '999999999999' }).connect(), /Bad username or password|Not authorized/i);
      const connected = (client: mqtt.MqttClient) => new Promise((resolve, reject) => (client.once('connect', resolve), client.once('error', reject)));
      const firmware = mqtt.connect(linked.brokerUrl, { clientId: `android-${a.machineNo}`, username: a.machineNo, password: a.password, reconnectPeriod: 0 });
      await connected(firmware);
      const intruder = mqtt.connect(linked.brokerUrl, { clientId: `android-${a.machineNo}`, username: b.machineNo, password: b.password, reconnectPeriod: 0 });
      await assert.rejects(connected(intruder), /Identifier rejected/i);
      intruder.end(true);
      assert.ok(firmware.connected, "A's session is still A's");
      firmware.end(true);
      assert.equal(linked.server.link!.counters.refusedLogins, refusedBefore + 3);
    });

    it("a machine cannot subscribe to another machine's topic nor to wildcards", async () => {
      const a = await seedMachine(linked.store);
      const b = await seedMachine(linked.store, a.merchant);
      const machine = simulator(linked.brokerUrl, a);
      await machine.connect();
      try {
        assert.equal(await machine.trySubscribe(`/clients/${b.machineNo}`), 128);
        assert.equal(await machine.trySubscribe('/clients/#'), 128);
        assert.equal(await machine.trySubscribe(SERVER_TOPIC), 128);
        assert.equal(await machine.trySubscribe(`/clients/${a.machineNo}`), 1);
      } finally {
        await machine.disconnect();
      }
    });

    it('a machine cannot speak for another machine nor publish anywhere but the server topic', async () => {
      const a = await seedMachine(linked.store);
      const b = await seedMachine(linked.store, a.merchant);
      const api = merchantApi(linked.server.url, b);
      const machineB = simulator(linked.brokerUrl, b);
      await machineB.connect();
      const [code] = await api.createCodes(1);
      await eventually(() => machineB.codes().length === 1, 'machine B holds its code');
      const counters = linked.server.link!.counters;
      const impersonationsBefore = counters.dropped.impersonation;
      const refusedBefore = counters.refusedPublications;

      // A knows the merchant's Appid, so it can sign as B; the broker knows it is A.
      const forged = encodeMachineMessage({ machineId: 0, machineNo: b.machineNo, method: MACHINE_METHOD.CODE_REDEEMED, timestamp: Math.floor(Date.now() / 1000) }, { id: String(code!.id), used: '1' }, a.merchant.appid);
      for (const [topic, payload] of [[SERVER_TOPIC, forged], [`/clients/${b.machineNo}`, forged]] as const) {
        const intruder = mqtt.connect(linked.brokerUrl, { clientId: a.machineNo, username: a.machineNo, password: a.password, reconnectPeriod: 0 });
        await new Promise((resolve) => intruder.once('connect', resolve));
        const closed = new Promise<void>((resolve) => intruder.once('close', () => resolve()));
        intruder.publish(topic, payload, { qos: 1 });
        await closed; // the broker drops a client that publishes what it may not
        intruder.end(true);
      }
      assert.equal(counters.dropped.impersonation, impersonationsBefore + 1);
      assert.equal(counters.refusedPublications, refusedBefore + 1);
      assert.equal(machineB.counters.dropped, 0, 'nothing reached B');
      assert.deepEqual((await api.query('UNUSED')).map((c) => c.id), [code!.id], "B's code is still unused");
      await machineB.disconnect();
    });

    it('bad signatures, unknown methods and garbage are dropped and counted; the link keeps working', async () => {
      const a = await seedMachine(linked.store);
      const machine = simulator(linked.brokerUrl, a);
      await machine.connect();
      const counters = linked.server.link!.counters;
      const before = { ...counters.dropped };
      await machine.publishRaw(SERVER_TOPIC, Buffer.from([0xff, 0x00, 0x13, 0x37]));
      await machine.publishRaw(SERVER_TOPIC, 'bm90IGpzb24=');
      await machine.publishRaw(SERVER_TOPIC, machine.message(MACHINE_METHOD.HEARTBEAT, {}, { appid: 'not-the-appid' }));
      await machine.publishRaw(SERVER_TOPIC, machine.message('client.self_destruct', {}));
      await machine.publishRaw(SERVER_TOPIC, machine.message(MACHINE_METHOD.CODE_REDEEMED, { id: 'DROP TABLE' }));
      await eventually(
        () =>
          counters.dropped.malformed === before.malformed + 2 &&
          counters.dropped.badSignature === before.badSignature + 1 &&
          counters.dropped.unknownMethod === before.unknownMethod + 1 &&
          counters.dropped.invalidFields === before.invalidFields + 1,
        'every bad message was counted',
      );
      const api = merchantApi(linked.server.url, a);
      await api.createCodes(2);
      await eventually(() => machine.codes().length === 2, 'pushes still arrive');
      await machine.disconnect();
    });

    it('heartbeats put a machine online with its network; client.offline, the last will and silence take it offline', async () => {
      const a = await seedMachine(linked.store);
      const api = merchantApi(linked.server.url, a);
      const row = () => linked.store.db.selectFrom('machines').select(['is_online', 'network_type', 'network_rssi', 'last_seen_at']).where('machine_no', '=', a.machineNo).executeTakeFirstOrThrow();
      assert.equal((await api.machineDetail()).is_online, undefined, 'absent while offline');

      const machine = simulator(linked.brokerUrl, a, { networkType: '4g', networkRssi: '-71' });
      await machine.connect();
      await eventually(async () => (await row()).network_type === '4g', 'the heartbeat was recorded');
      assert.equal((await row()).network_rssi, '-71');
      assert.equal((await api.machineDetail()).is_online, true);

      await machine.goOffline('maintenance');
      await eventually(async () => (await row()).is_online === 0, 'client.offline took it offline');

      await machine.connect();
      await eventually(async () => (await row()).is_online === 1, 'online again');
      machine.crash();
      await eventually(async () => (await row()).is_online === 0, 'the last will took it offline');

      const quiet = simulator(linked.brokerUrl, a, { heartbeatSeconds: 3600 });
      await quiet.connect();
      await eventually(async () => (await row()).is_online === 1, 'online again');
      // The heartbeat timeout is 1 s here: once it has passed, the sweep finds the machine silent.
      await eventually(async () => (await linked.server.link!.sweepOffline(), (await row()).is_online === 0), 'the sweep marked it offline');
      await quiet.disconnect();
    });
  });
}
