/**
 * The two cancel extensions reach the machine like the other cancels: deleted codes leave
 * the connected machine's list, one by one, or as one sync above the threshold.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from '../helpers/node-test.js';
import type { MachineSimulator } from '../../src/link/machine-simulator.js';
import { eventually, heldIds, LinkedServer, merchantApi, sameIds, seedMachine, simulator, type LinkFixture } from '../helpers/link.js';
import { asMerchant } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

for (const kind of storeKinds()) {
  describe(`cancel extensions pushed to machines (${kind.name}, embedded broker)`, { skip: kind.skip }, () => {
    let linked: LinkedServer;
    const machines: MachineSimulator[] = [];
    const connect = async (fixture: LinkFixture) => {
      const machine = simulator(linked.brokerUrl, fixture);
      machines.push(machine);
      await machine.connect();
      return machine;
    };
    const cancel = async (fixture: LinkFixture, fields: Record<string, string>) => {
      const answer = await asMerchant(linked.server.url, fixture.merchant)(
        '/pickup_codes',
        { machine_no: fixture.machineNo, nonce: randomBytes(8).toString('hex'), ...fields },
        'PUT',
      );
      assert.equal(answer.body.code, 0, JSON.stringify(answer.body));
      return (answer.body.data.count as number | undefined) ?? 0;
    };

    before(async () => {
      linked = await LinkedServer.start(kind, { mode: 'embedded', host: '127.0.0.1', port: 0 });
    });
    after(async () => {
      for (const machine of machines) await machine.disconnect();
      await linked?.close();
    });

    it('codes cancelled by a list of ids leave the connected machine; the others stay', async () => {
      const fixture = await seedMachine(linked.store);
      const api = merchantApi(linked.server.url, fixture);
      const machine = await connect(fixture);
      const created = await api.createCodes(4);
      await eventually(() => machine.codes().length === 4, 'the machine holds 4 codes');
      assert.equal(await cancel(fixture, { method: 'pickup_code.delete.ids', ids: `${created[0]!.id},${created[2]!.id}` }), 2);
      await eventually(() => sameIds(heldIds(machine), [created[1]!.id, created[3]!.id]), 'the two cancelled codes left the machine');
    });

    it("a product's cancelled codes leave the connected machine", async () => {
      const fixture = await seedMachine(linked.store);
      const api = merchantApi(linked.server.url, fixture);
      const machine = await connect(fixture);
      await api.createCodes(3);
      await eventually(() => machine.codes().length === 3, 'the machine holds 3 codes');
      assert.equal(await cancel(fixture, { method: 'pickup_code.delete.product', product_id: String(fixture.productId) }), 3);
      await eventually(() => machine.codes().length === 0, 'the machine list is empty');
    });

    it(`more than 20 codes cancelled at once reach the machine as a sync`, async () => {
      const fixture = await seedMachine(linked.store);
      const api = merchantApi(linked.server.url, fixture);
      const machine = await connect(fixture);
      const many = 25;
      const created = await api.createCodes(many * 2);
      await eventually(() => machine.codes().length === many * 2, `the machine holds ${many * 2} codes`);
      const syncsBefore = machine.counters.syncs;
      const ids = created.slice(0, many).map((code) => code.id);
      assert.equal(await cancel(fixture, { method: 'pickup_code.delete.ids', ids: ids.join(',') }), many);
      await eventually(() => machine.codes().length === many, 'the listed codes left the machine');
      // Each cancel leaves as one sync; the dispatcher may also fold waiting deletes into one.
      assert.ok(machine.counters.syncs >= syncsBefore + 1, 'a sync, not only a delete per code');
      assert.equal(await cancel(fixture, { method: 'pickup_code.delete.product', product_id: String(fixture.productId) }), many);
      await eventually(() => machine.codes().length === 0, 'the machine list is empty');
      assert.ok(machine.counters.syncs >= syncsBefore + 2, 'the product cancel came as a sync too');
    });
  });
}
