/**
 * Stock through the Open API extension `PUT /products` (`product.restock`, `product.stock`):
 * within 0..capacity, with history, the merchant's own machines only, nothing half-applied.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { needs } from '../helpers/components.js';
import { asMerchant, seedMerchant, startTestServer, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { BY_TEST, storeKinds } from '../helpers/stores.js';

for (const kind of storeKinds()) {
  describe(`stock through the Open API [${kind.name}]`, needs(kind), () => {
    let server: TestServer;
    let merchant: MerchantFixture;
    let other: MerchantFixture;
    let api: ReturnType<typeof asMerchant>;

    before(async () => {
      server = await startTestServer(kind);
      merchant = await seedMerchant(server.store, { machines: 1, products: 2, capacity: 10, inventory: 4 });
      other = await seedMerchant(server.store, { machines: 1, products: 1, capacity: 10, inventory: 4 });
      api = asMerchant(server.url, merchant);
    });
    after(() => server.close());

    const machine = () => merchant.machines[0]!;
    const stock = async (productId: number) => {
      const row = await server.store.db.selectFrom('products').select(['inventory', 'on_sale']).where('id', '=', productId).executeTakeFirstOrThrow();
      return [row.inventory, row.on_sale];
    };

    it('product.stock sets one product\'s stock; above the capacity or absent it is 10001 and nothing changes', async () => {
      const [first] = machine().productIds;
      const set = await api('/products', { machine_no: machine().machine_no, method: 'product.stock', product_id: String(first), inventory: '7' }, 'PUT');
      assert.equal(set.body.code, 0, JSON.stringify(set.body));
      assert.deepEqual(set.body.data, { products: [{ id: first, inventory: 7, on_sale: true }] });
      assert.deepEqual(await stock(first!), [7, 1]);
      for (const inventory of ['11', '-1', 'x', undefined]) {
        const fields: Record<string, string> = { machine_no: machine().machine_no, method: 'product.stock', product_id: String(first) };
        if (inventory !== undefined) fields.inventory = inventory;
        const refused = await api('/products', fields, 'PUT');
        assert.equal(refused.body.code, 10001, `${inventory}: ${JSON.stringify(refused.body)}`);
        assert.match(refused.body.message, /inventory/);
      }
      assert.deepEqual(await stock(first!), [7, 1]);
    });

    it('product.restock refills one product or every product of the machine to capacity, on sale, with a history row each', async () => {
      const [first, second] = machine().productIds;
      await server.store.write(BY_TEST, ({ trx }) => trx.updateTable('products').set({ inventory: 2, on_sale: 0 }).where('id', '=', second!).execute());
      const one = await api('/products', { machine_no: machine().machine_no, method: 'product.restock', product_id: String(second) }, 'PUT');
      assert.equal(one.body.code, 0, JSON.stringify(one.body));
      assert.deepEqual(await stock(second!), [10, 1]);
      const all = await api('/products', { machine_no: machine().machine_no, method: 'product.restock' }, 'PUT');
      assert.deepEqual(all.body.data.products.map((p: { id: number; inventory: number }) => [p.id, p.inventory]), [
        [first, 10],
        [second, 10],
      ]);
      const history = await server.store.db.selectFrom('stock_changes').select(['inventory_from', 'inventory_to', 'on_sale_from', 'actor', 'reason']).where('product_id', '=', second!).orderBy('id').execute();
      assert.deepEqual(
        history.map((h) => [h.inventory_from, h.inventory_to, h.on_sale_from, h.reason]),
        [
          [2, 10, 0, 'restock'],
          [10, 10, 1, 'restock'],
        ],
      );
      assert.ok(history.every((h) => h.actor === `merchant:${merchant.merchant_id}`));
    });

    it("another merchant's machine is 30003 and its product 60001; an unknown method is 10004; nothing of theirs changes", async () => {
      const theirs = other.machines[0]!;
      const before = await stock(theirs.productIds[0]!);
      const machineRefused = await api('/products', { machine_no: theirs.machine_no, method: 'product.restock' }, 'PUT');
      assert.equal(machineRefused.body.code, 30003);
      const productRefused = await api('/products', { machine_no: machine().machine_no, method: 'product.stock', product_id: String(theirs.productIds[0]), inventory: '1' }, 'PUT');
      assert.equal(productRefused.body.code, 60001);
      const restockRefused = await api('/products', { machine_no: machine().machine_no, method: 'product.restock', product_id: String(theirs.productIds[0]) }, 'PUT');
      assert.equal(restockRefused.body.code, 60001);
      assert.equal((await api('/products', { machine_no: machine().machine_no, method: 'product.refill' }, 'PUT')).body.code, 10004);
      assert.deepEqual(await stock(theirs.productIds[0]!), before);
    });
  });
}
