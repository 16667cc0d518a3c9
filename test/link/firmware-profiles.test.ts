/**
 * Both link profiles through the project's simulators (issue 18): `machine-sim --firmware
 * original` behaves as the docs' machine, the default simulator says it is extended, and an
 * operator's choice of profile decides what a machine gets. On the embedded aedes and the
 * local Mosquitto, on every store.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { needs } from '../helpers/components.js';
import { OriginalMachineSimulator } from '../../src/link/machine-simulator-original.js';
import { setMachine } from '../../src/service/admin.js';
import { brokerModes, eventually, heldIds, LinkedServer, merchantApi, sameIds, seedMachine, simulator } from '../helpers/link.js';
import { storeKinds } from '../helpers/stores.js';

for (const kind of storeKinds()) {
  for (const mode of brokerModes()) {
    describe(`link profiles through the simulators (${kind.name}, ${mode.name} broker)`, needs(kind, ...mode.needs), () => {
      let linked: LinkedServer;
      const stops: Array<() => Promise<void>> = [];
      before(async () => {
        linked = await LinkedServer.start(kind, mode.mqtt());
      });
      after(async () => {
        for (const stop of stops) await stop();
        await linked?.close();
      });
      const profileOf = async (machineNo: string) => {
        const row = await linked.store.db.selectFrom('machines').select(['link_mode', 'link_extended']).where('machine_no', '=', machineNo).executeTakeFirstOrThrow();
        return row;
      };

      it('the original-firmware simulator gets every code one by one, empties at a cancel-all, and its redemption is a pickup that reports stock', async () => {
        const fixture = await seedMachine(linked.store);
        const api = merchantApi(linked.server.url, fixture);
        const machine = new OriginalMachineSimulator({ url: linked.brokerUrl, machineNo: fixture.machineNo, password: fixture.password, appid: fixture.merchant.appid, stock: { [fixture.productId]: 150 } });
        stops.push(() => machine.disconnect());
        await machine.connect();
        const created = await api.createCodes(30);
        await eventually(() => sameIds(machine.codes().map((c) => Number(c.id)), created.map((c) => c.id)), 'the machine holds the 30 codes');
        const outcome = await machine.redeem(created[0]!.code);
        assert.equal(outcome.ok, true);
        let used: Awaited<ReturnType<typeof api.query>> = [];
        await eventually(async () => (used = await api.query('USED')).length === 1, 'the redemption counted');
        const record = await linked.store.db.selectFrom('order_records').select('status').where('order_id', '=', used[0]!.order_id!).executeTakeFirstOrThrow();
        assert.equal(record.status, 'IS_PICKED_UP');
        await eventually(async () => (await linked.store.db.selectFrom('products').select('inventory').where('id', '=', fixture.productId).executeTakeFirstOrThrow()).inventory === 149, 'its stock report arrived');
        assert.equal(await api.cancelAll(), 29);
        await eventually(() => machine.codes().length === 0, 'the cancel-all emptied it');
        assert.equal(machine.counters.ignored, 0, 'nothing it does not know');
        assert.deepEqual(await profileOf(fixture.machineNo), { link_mode: 'auto', link_extended: 0 });
      });

      it('the default simulator says it is extended and gets one sync for a large change; set to original by the operator, it gets each code instead', async () => {
        const fixture = await seedMachine(linked.store);
        const api = merchantApi(linked.server.url, fixture);
        const machine = simulator(linked.brokerUrl, fixture);
        stops.push(() => machine.disconnect());
        await machine.connect();
        await eventually(async () => (await profileOf(fixture.machineNo)).link_extended === 1, 'its heartbeat said it speaks the extensions');
        await eventually(() => machine.counters.syncs === 1, 'its pull at connect was answered with its list');
        const syncs = machine.counters.syncs;
        const first = await api.createCodes(25);
        await eventually(() => sameIds(heldIds(machine), first.map((c) => c.id)), 'it holds the 25 codes');
        assert.equal(machine.counters.syncs, syncs + 1, 'as one sync');

        await setMachine(linked.store, fixture.machineNo, { link: 'original' });
        const second = await api.createCodes(25);
        await eventually(() => heldIds(machine).length === 50, 'it holds 50 codes');
        assert.equal(machine.counters.syncs, syncs + 1, 'no sync for an original machine');
        assert.ok(second.every((c) => heldIds(machine).includes(c.id)));
      });
    });
  }
}
