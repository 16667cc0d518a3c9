import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { asMerchant, seedMerchant, startTestServer, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

for (const kind of storeKinds()) {
  describe(`pickup-code lifecycle [${kind.name}]`, { skip: kind.skip }, () => {
    let server: TestServer;
    let merchant: MerchantFixture;
    before(async () => {
      server = await startTestServer(kind);
      merchant = await seedMerchant(server.store);
    });
    after(() => server.close());

    it('creates, lists, cancels a code, and the cancelled code is gone from the query', async () => {
      const api = asMerchant(server.url, merchant);
      const machine = merchant.machines[0]!;
      const created = await api('/pickup_codes', {
        machine_no: machine.machine_no,
        method: 'pickup_code.product.id',
        product_id: String(machine.productIds[0]),
        count: '2',
      });
      assert.equal(created.body.code, 0, JSON.stringify(created.body));
      assert.equal(created.body.data.codes.length, 2);
      const [first] = created.body.data.codes;
      const listed = await api(`/products/${machine.productIds[0]}/pickup_code`, { machine_no: machine.machine_no });
      assert.deepEqual(listed.body.data.map((c: { id: number }) => c.id), created.body.data.codes.map((c: { id: number }) => c.id));
      const cancelled = await api('/pickup_codes', { machine_no: machine.machine_no, method: 'pickup_code.delete.id', id: String(first.id) }, 'PUT');
      assert.deepEqual(cancelled.body, { code: 0, message: 'ok', data: {} });
      const after = await api(`/products/${machine.productIds[0]}/pickup_code`, { machine_no: machine.machine_no });
      assert.equal(after.body.data.length, 1);
    });
  });
}
