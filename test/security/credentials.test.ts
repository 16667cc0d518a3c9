/**
 * Revoking leaked credentials, from the operator's command to the running server: a rotated
 * AppSecret is refused (10013) and a suspended merchant answered 10010 despite the server's
 * merchant cache; a rotated MQTT password or a disabled machine closes the machine's live
 * connection and refuses the old login; each command prints the new secret once, in --json too.
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import mqtt from 'mqtt';
import { rotateMqttPassword, setMachine } from '../../src/service/admin.js';
import { json, vendcloud } from '../helpers/cli.js';
import { eventually, LinkedServer, seedMachine, type LinkFixture } from '../helpers/link.js';
import { call, seedMerchant, startTestServer, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

/** The operator's command on the test server's database. */
function operator(server: TestServer, args: string[]) {
  const schema = server.location.options.pgSchema;
  return vendcloud([...args, '--db', server.location.db, '--json'], schema ? { VENDCLOUD_DB_SCHEMA: schema } : {});
}

/** Logs in as the machine; resolves with the client once connected, or rejects with the refusal. */
async function logIn(url: string, machine: LinkFixture, password = machine.password): Promise<mqtt.MqttClient> {
  const client = mqtt.connect(url, { clientId: machine.machineNo, username: machine.machineNo, password, reconnectPeriod: 0 });
  try {
    await new Promise((resolve, reject) => (client.once('connect', resolve), client.once('error', reject)));
  } catch (error) {
    client.end(true);
    throw error;
  }
  return client;
}

function whenClosed(client: mqtt.MqttClient): Promise<void> {
  return new Promise((resolve) => client.once('close', () => resolve()));
}

for (const kind of storeKinds()) {
  describe(`revoking credentials (${kind.name})`, { skip: kind.skip }, () => {
    it('merchant set --rotate-app-secret prints the new secret once; the old one answers 10013 although the server caches merchants', async () => {
      const server = await startTestServer(kind, { merchantCacheSeconds: 300 });
      try {
        const merchant = await seedMerchant(server.store);
        const ping = (secret: string) => call(server.url, '/ping', { appid: merchant.appid, secret });
        assert.equal((await ping(merchant.app_secret)).body.code, 0, 'the merchant is cached now');
        const result = await operator(server, ['merchant', 'set', '--merchant', String(merchant.merchant_id), '--rotate-app-secret']);
        assert.equal(result.code, 0, result.stderr);
        const printed = json(result);
        assert.equal(printed.merchant_id, merchant.merchant_id);
        assert.match(printed.app_secret, /^[A-Za-z0-9]{32}$/);
        await eventually(async () => (await ping(merchant.app_secret)).body.code === 10013, 'the old secret is refused');
        assert.equal((await ping(printed.app_secret)).body.code, 0);
      } finally {
        await server.close();
      }
    });

    it('merchant set --suspend on refuses every request (10010, 403) until --suspend off', async () => {
      const server = await startTestServer(kind, { merchantCacheSeconds: 300 });
      try {
        const merchant = await seedMerchant(server.store);
        const ping = () => call(server.url, '/ping', { appid: merchant.appid, secret: merchant.app_secret });
        assert.equal((await ping()).body.code, 0);
        const id = String(merchant.merchant_id);
        assert.deepEqual(json(await operator(server, ['merchant', 'set', '--merchant', id, '--suspend', 'on'])), { merchant_id: merchant.merchant_id, suspended: true });
        await eventually(async () => (await ping()).body.code === 10010, 'the suspended merchant is refused');
        assert.equal((await ping()).status, 403);
        assert.deepEqual(json(await operator(server, ['merchant', 'set', '--merchant', id, '--suspend', 'off'])), { merchant_id: merchant.merchant_id, suspended: false });
        await eventually(async () => (await ping()).body.code === 0, 'the merchant is let in again');
      } finally {
        await server.close();
      }
    });

    it('a rotated MQTT password closes the connection logged in with the old one, refuses the old one, and logs in with the new one', async () => {
      const linked = await LinkedServer.start(kind, { mode: 'embedded', host: '127.0.0.1', port: 0 }, {}, { housekeeping: { revocationIntervalMs: 50 } });
      try {
        const machine = await seedMachine(linked.store);
        const client = await logIn(linked.brokerUrl, machine);
        const closed = whenClosed(client);
        const { mqtt_password } = await rotateMqttPassword(linked.store, machine.machineNo);
        await closed;
        client.end(true);
        await assert.rejects(logIn(linked.brokerUrl, machine), /Bad username or password/i);
        await (await logIn(linked.brokerUrl, machine, mqtt_password)).endAsync();
      } finally {
        await linked.close();
      }
    });

    it('a disabled machine is disconnected and may not log in until enabled again', async () => {
      const linked = await LinkedServer.start(kind, { mode: 'embedded', host: '127.0.0.1', port: 0 }, {}, { housekeeping: { revocationIntervalMs: 50 } });
      try {
        const machine = await seedMachine(linked.store);
        const client = await logIn(linked.brokerUrl, machine);
        const closed = whenClosed(client);
        await setMachine(linked.store, machine.machineNo, { disabled: true });
        await closed;
        client.end(true);
        await assert.rejects(logIn(linked.brokerUrl, machine), /Bad username or password/i);
        await setMachine(linked.store, machine.machineNo, { disabled: false });
        await (await logIn(linked.brokerUrl, machine)).endAsync();
      } finally {
        await linked.close();
      }
    });
  });
}

describe('vendcloud machine set credentials', () => {
  it('--rotate-mqtt-password prints the new password once; --disable on|off says so; --json on each', async () => {
    const server = await startTestServer(storeKinds()[0]!);
    try {
      const merchant = await seedMerchant(server.store);
      const machineNo = merchant.machines[0]!.machine_no;
      const rotated = json(await operator(server, ['machine', 'set', '--machine-no', machineNo, '--rotate-mqtt-password']));
      assert.equal(rotated.machine_no, machineNo);
      assert.match(rotated.mqtt_password, /^[A-Za-z0-9]{32}$/);
      assert.notEqual(rotated.mqtt_password, merchant.machines[0]!.mqtt_password);
      assert.deepEqual(json(await operator(server, ['machine', 'set', '--machine-no', machineNo, '--disable', 'on'])), { machine_no: machineNo, ok: true, disabled: true });
      const human = await vendcloud(['machine', 'set', '--machine-no', machineNo, '--disable', 'off', '--db', server.location.db]);
      assert.match(human.stdout, /enabled/);
    } finally {
      await server.close();
    }
  });
});
