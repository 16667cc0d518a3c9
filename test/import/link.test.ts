/**
 * An imported machine keeps its firmware's settings (issue 20): it logs in with the MQTT
 * password set on it, and every push carries its original `machine_id` and is signed with
 * the imported Appid, over a real broker, on every store.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { readImportFile } from '../../src/domain/import-file.js';
import { MachineSimulator } from '../../src/link/machine-simulator.js';
import { OriginalMachineSimulator } from '../../src/link/machine-simulator-original.js';
import { importFile } from '../../src/service/import.js';
import { brokerModes, eventually, LinkedServer, merchantApi, uniqueMachineNo, type LinkFixture } from '../helpers/link.js';
import { storeKinds } from '../helpers/stores.js';
import { needs } from '../helpers/components.js';
import { APP_SECRET, APPID, CODE, CODE_ID, MACHINE_ID, MERCHANT_ID, MQTT_PASSWORD, originalPlatformFile, PRODUCT_ID } from './fixture.js';

for (const kind of storeKinds()) {
  for (const mode of brokerModes()) {
    describe(`an imported machine on the link [${kind.name}, ${mode.name} broker]`, needs(kind, ...mode.needs), () => {
      let linked: LinkedServer;
      let machine: MachineSimulator | undefined;
      const machineNo = uniqueMachineNo();
      const fixture: LinkFixture = { merchant: { merchant_id: MERCHANT_ID, appid: APPID, app_secret: APP_SECRET }, machineNo, password: MQTT_PASSWORD, productId: PRODUCT_ID };

      before(async () => {
        linked = await LinkedServer.start(kind, mode.mqtt());
        const reading = readImportFile(originalPlatformFile(machineNo));
        await importFile(linked.store, reading.file!);
      });
      after(async () => {
        await machine?.disconnect();
        await linked?.close();
      });

      it('logs in with its imported MQTT password and receives its imported UNUSED code, signed with the imported Appid, carrying its original machine_id', async () => {
        machine = new MachineSimulator({ url: linked.brokerUrl, machineNo, password: MQTT_PASSWORD, appid: APPID });
        await machine.connect();
        await eventually(() => machine!.codes().length === 1, 'the machine holds the imported UNUSED code');
        assert.deepEqual(
          machine.codes().map((code) => [code.id, code.code]),
          [[String(CODE_ID), CODE]],
        );
        assert.equal(machine.machineId, String(MACHINE_ID));
        assert.equal(machine.counters.dropped, 0, 'no push failed the signature check with the imported Appid');
      });

      it('a code created after the import is pushed with the original machine_id', async () => {
        const api = merchantApi(linked.server.url, fixture);
        const [created] = await api.createCodes(1);
        await eventually(() => machine!.codes().some((code) => Number(code.id) === created!.id), 'the new code reached the machine');
        assert.equal(machine!.machineId, String(MACHINE_ID));
        assert.equal(machine!.counters.dropped, 0);
      });

      it('a machine connected when more of its codes are imported receives them without reconnecting', async () => {
        const file = originalPlatformFile(machineNo);
        file.pickup_codes.push({ id: 9200, machine_no: machineNo, product_id: PRODUCT_ID, code: '31415926', status: 'UNUSED', created_at: '2026-11-06 10:00:00' });
        const outcome = await importFile(linked.store, readImportFile(file).file!);
        assert.equal(outcome.created.pickup_codes, 1);
        await eventually(() => machine!.codes().some((code) => code.id === '9200' && code.code === '31415926'), 'the imported code reached the connected machine');
        assert.equal(machine!.machineId, String(MACHINE_ID));
      });

      // The embedded broker checks the password (its access hooks); the shared test Mosquitto takes anyone.
      if (mode.name === 'embedded') {
        it('another MQTT password than the imported one is refused by the broker', async () => {
          const impostor = new MachineSimulator({ url: linked.brokerUrl, machineNo, password: 'not-the-password', appid: APPID });
          try {
            await assert.rejects(impostor.connect(), /Bad username or password|Not authorized/i);
          } finally {
            await impostor.disconnect();
          }
        });
      }
    });
  }
}

for (const kind of storeKinds()) {
  for (const mode of brokerModes()) {
    describe(`an imported machine on the original firmware [${kind.name}, ${mode.name} broker]`, needs(kind, ...mode.needs), () => {
      let linked: LinkedServer;
      let machine: OriginalMachineSimulator | undefined;
      const machineNo = uniqueMachineNo();

      before(async () => {
        linked = await LinkedServer.start(kind, mode.mqtt());
        await importFile(linked.store, readImportFile(originalPlatformFile(machineNo)).file!);
      });
      after(async () => {
        await machine?.disconnect();
        await linked?.close();
      });

      it('gets its imported codes as creates, at its first connection and when more are imported while it is connected', async () => {
        machine = new OriginalMachineSimulator({ url: linked.brokerUrl, machineNo, password: MQTT_PASSWORD, appid: APPID });
        await machine.connect();
        await eventually(() => machine!.codes().some((code) => code.id === String(CODE_ID)), 'the machine holds the imported UNUSED code');
        const file = originalPlatformFile(machineNo);
        file.pickup_codes.push({ id: 9300, machine_no: machineNo, product_id: PRODUCT_ID, code: '27182818', status: 'UNUSED', created_at: '2026-11-06 10:00:00' });
        assert.equal((await importFile(linked.store, readImportFile(file).file!)).created.pickup_codes, 1);
        await eventually(() => machine!.codes().some((code) => code.id === '9300'), 'the newly imported code reached the connected machine');
        assert.equal(machine.counters.ignored, 0, 'no sync: it would not understand one');
      });
    });
  }
}
