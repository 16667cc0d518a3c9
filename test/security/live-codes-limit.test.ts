/**
 * The optional live-codes limit (`merchant set --live-codes-limit stock|capacity|off`): under
 * it a create of one product may not make the product's live codes exceed its stock (or its
 * capacity); the excess is refused as a count above the capacity is (10001 naming `count`)
 * and writes nothing. Off, the default, creates as the original platform does.
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { json, vendcloud } from '../helpers/cli.js';
import { asMerchant, seedMerchant, startTestServer, writtenRows, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

let serial = 0;

/** The operator's command on the test server's database. */
function operator(server: TestServer, args: string[]) {
  const schema = server.location.options.pgSchema;
  return vendcloud([...args, '--db', server.location.db, '--json'], schema ? { VENDCLOUD_DB_SCHEMA: schema } : {});
}

async function setLimit(server: TestServer, merchant: MerchantFixture, limit: string): Promise<void> {
  const result = await operator(server, ['merchant', 'set', '--merchant', String(merchant.merchant_id), '--live-codes-limit', limit]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(json(result), { merchant_id: merchant.merchant_id, live_codes_limit: limit });
}

function creates(server: TestServer, merchant: MerchantFixture) {
  const api = asMerchant(server.url, merchant);
  const m = merchant.machines[0]!;
  return {
    forProduct: (count: number) =>
      api('/pickup_codes', { machine_no: m.machine_no, method: 'pickup_code.product.id', product_id: String(m.productIds[0]), count: String(count), nonce: `L${process.pid}n${++serial}` }),
    forAll: () => api('/pickup_codes', { machine_no: m.machine_no, method: 'pickup_code.product.all', nonce: `L${process.pid}n${++serial}` }),
  };
}

for (const kind of storeKinds()) {
  describe(`the live-codes limit (${kind.name})`, { skip: kind.skip }, () => {
    it('stock: a create may bring a product up to its stock; the excess is refused with 10001 naming count, and nothing is written', async () => {
      const server = await startTestServer(kind);
      try {
        const merchant = await seedMerchant(server.store, { products: 1, capacity: 10, inventory: 4 });
        await setLimit(server, merchant, 'stock');
        const create = creates(server, merchant);
        assert.equal((await create.forProduct(3)).body.code, 0);
        const before = await writtenRows(server.store);
        const refused = await create.forProduct(2);
        assert.equal(refused.body.code, 10001);
        assert.match(refused.body.message, /count/);
        assert.match(refused.body.message, /at most 1\b/);
        assert.deepEqual(await writtenRows(server.store), before, 'the refused create wrote nothing');
        assert.equal((await create.forProduct(1)).body.code, 0, 'the room left is still usable');
        const codesBefore = (await writtenRows(server.store)).pickup_codes;
        assert.equal((await create.forAll()).body.code, 0);
        assert.equal((await writtenRows(server.store)).pickup_codes, codesBefore, 'creating for all products never passes the stock');
      } finally {
        await server.close();
      }
    });

    it('capacity: live codes may pass the stock but not the capacity', async () => {
      const server = await startTestServer(kind);
      try {
        const merchant = await seedMerchant(server.store, { products: 1, capacity: 5, inventory: 2 });
        await setLimit(server, merchant, 'capacity');
        const create = creates(server, merchant);
        assert.equal((await create.forProduct(4)).body.code, 0);
        const refused = await create.forProduct(2);
        assert.equal(refused.body.code, 10001);
        assert.match(refused.body.message, /count/);
        assert.equal((await create.forProduct(1)).body.code, 0);
      } finally {
        await server.close();
      }
    });

    it('off (the default, as the original): live codes may pass the stock', async () => {
      const server = await startTestServer(kind);
      try {
        const merchant = await seedMerchant(server.store, { products: 1, capacity: 10, inventory: 2 });
        const create = creates(server, merchant);
        assert.equal((await create.forProduct(8)).body.code, 0);
        assert.equal((await create.forProduct(8)).body.code, 0);
        await setLimit(server, merchant, 'off');
      } finally {
        await server.close();
      }
    });

    it('merchant set refuses an unknown limit as a usage error and changes nothing', async () => {
      const server = await startTestServer(kind);
      try {
        const merchant = await seedMerchant(server.store, { products: 1 });
        const result = await operator(server, ['merchant', 'set', '--merchant', String(merchant.merchant_id), '--live-codes-limit', 'sometimes']);
        assert.notEqual(result.code, 0);
        assert.match(result.stderr, /stock, capacity, off/);
      } finally {
        await server.close();
      }
    });
  });
}
