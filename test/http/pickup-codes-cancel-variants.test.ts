/**
 * PUT /pickup_codes, the two extensions: `pickup_code.delete.ids` (a comma-separated list of
 * ids, all cancelled or none) and `pickup_code.delete.product` (every live code of one
 * product). Both answer `{count}`, through the HTTP API, the SDK and the CLI.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { OpenApiError, type VendcloudClient } from '../../src/client/index.js';
import { nowSeconds } from '../../src/protocol/time.js';
import { clientFor } from '../helpers/client.js';
import { json, merchantEnv, vendcloud } from '../helpers/cli.js';
import { asMerchant, seedMerchant, startTestServer, writtenRows, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

for (const kind of storeKinds()) {
  describe(`cancelling a list of codes or a product's codes [${kind.name}]`, { skip: kind.skip }, () => {
    let server: TestServer;
    let merchant: MerchantFixture;
    let api: ReturnType<typeof asMerchant>;
    let sdk: VendcloudClient;
    let nonce = 0;
    const now = nowSeconds();

    before(async () => {
      server = await startTestServer(kind, { clock: () => now, timestampWindowSeconds: 0 });
      merchant = await seedMerchant(server.store, { machines: 2, capacity: 50 });
      api = asMerchant(server.url, merchant);
      sdk = clientFor(server.url, merchant);
    });
    after(() => server.close());

    const machine = (index = 0) => merchant.machines[index]!;
    const create = async (count: number, product = 0, on = machine()) => {
      const codes = await sdk.createPickupCodes(on.machine_no, { productId: on.productIds[product]!, count });
      return codes.map((code) => code.id);
    };
    const cancelIds = (ids: string, on = machine()) =>
      api('/pickup_codes', { machine_no: on.machine_no, method: 'pickup_code.delete.ids', ids, nonce: String(++nonce) }, 'PUT');
    const cancelProduct = (productId: string, on = machine()) =>
      api('/pickup_codes', { machine_no: on.machine_no, method: 'pickup_code.delete.product', product_id: productId, nonce: String(++nonce) }, 'PUT');
    const statuses = async (ids: number[], on = machine()) => {
      const page = await sdk.queryPickupCodes(on.machine_no, { status: 'ALL', perPage: 100 });
      return ids.map((id) => page.data.find((code) => code.id === id)?.status);
    };

    it('pickup_code.delete.ids cancels every listed code and answers their count', async () => {
      const ids = await create(3);
      const answer = await cancelIds(ids.join(','));
      assert.deepEqual(answer.body, { code: 0, message: 'ok', data: { count: 3 } });
      assert.deepEqual(await statuses(ids), ['CANCELLED', 'CANCELLED', 'CANCELLED']);
    });

    it('pickup_code.delete.ids is all or nothing: one id that is not a live code of the machine cancels none, and the refusal names it', async () => {
      const ids = await create(2);
      const [otherMachines] = await create(1, 0, machine(1));
      // The refusal itself is stored under the request's nonce, as every business refusal is.
      const changes = async () => ({ ...(await writtenRows(server.store)), answered_requests: 0 });
      const before = await changes();
      const answer = await cancelIds(`${ids[0]},${otherMachines},${ids[1]}`);
      assert.equal(answer.body.code, 80002);
      assert.match(answer.body.message, new RegExp(`\\b${otherMachines}\\b`));
      assert.deepEqual(await changes(), before, 'nothing changed');
      assert.deepEqual(await statuses(ids), ['UNUSED', 'UNUSED']);
    });

    it('pickup_code.delete.ids refuses a used code with 10025 naming its order, and cancels none', async () => {
      const ids = await create(2);
      const [used] = await sdk.queryPickupCodes(machine().machine_no, { status: 'UNUSED', perPage: 100 }).then((page) => page.data.filter((code) => code.id === ids[0]));
      const order = await sdk.consumePickupCode(machine().machine_no, { code: used!.code, productId: machine().productIds[0]!, tradeId: `T${now}${++nonce}`.padEnd(24, '0'), notifyUrl: 'https://example.com/n' });
      const answer = await cancelIds(ids.join(','));
      assert.equal(answer.body.code, 10025);
      assert.deepEqual(answer.body.data, { order_id: order.orderId });
      assert.deepEqual(await statuses(ids), ['USED', 'UNUSED']);
    });

    it('pickup_code.delete.ids refuses a malformed list with 10001 naming ids before anything is looked up', async () => {
      for (const ids of ['', '1,,2', '1,x', '0', '-1', '1.5', '3,3', Array.from({ length: 1001 }, (_, i) => i + 1).join(',')]) {
        const answer = await cancelIds(ids);
        assert.equal(answer.body.code, 10001, `ids=${ids.slice(0, 20)}: ${JSON.stringify(answer.body)}`);
        assert.match(answer.body.message, /ids/);
      }
    });

    it('pickup_code.delete.product cancels every live code of that product only, and answers 0 as {} when there is none', async () => {
      // The other product's codes are made before and after the targeted ones.
      const secondBefore = await create(2, 1);
      const ofFirst = await create(3, 0);
      const secondAfter = await create(2, 1);
      const answer = await cancelProduct(String(machine().productIds[0]));
      assert.equal(answer.body.code, 0);
      assert.ok(answer.body.data.count >= 3);
      assert.deepEqual(await statuses(ofFirst), ['CANCELLED', 'CANCELLED', 'CANCELLED']);
      assert.deepEqual(await statuses([...secondBefore, ...secondAfter]), ['UNUSED', 'UNUSED', 'UNUSED', 'UNUSED']);
      const again = await cancelProduct(String(machine().productIds[0]));
      assert.deepEqual(again.body, { code: 0, message: 'ok', data: {} });
    });

    it('pickup_code.delete.product without a valid product_id is 10001 naming it', async () => {
      for (const productId of ['', 'abc', '0']) {
        const answer = await cancelProduct(productId);
        assert.equal(answer.body.code, 10001);
        assert.match(answer.body.message, /product_id/);
      }
    });

    it("another merchant's machine is not found for either variant, and its codes stay", async () => {
      const stranger = await seedMerchant(server.store, { machines: 1 });
      const theirs = await clientFor(server.url, stranger).createPickupCodes(stranger.machines[0]!.machine_no, { productId: stranger.machines[0]!.productIds[0]!, count: 1 });
      for (const answer of [await cancelIds(String(theirs[0]!.id), stranger.machines[0]), await cancelProduct(String(stranger.machines[0]!.productIds[0]), stranger.machines[0])]) {
        assert.notEqual(answer.body.code, 0);
      }
      assert.equal((await clientFor(server.url, stranger).queryPickupCodes(stranger.machines[0]!.machine_no)).total, 1);
    });

    it('the SDK: cancelPickupCodes and cancelProductPickupCodes return the count; a refusal is an OpenApiError', async () => {
      const ids = await create(2);
      assert.equal(await sdk.cancelPickupCodes(machine().machine_no, ids), 2);
      await assert.rejects(sdk.cancelPickupCodes(machine().machine_no, ids), (error: unknown) => error instanceof OpenApiError && error.code === 80002);
      await create(2, 1);
      assert.ok((await sdk.cancelProductPickupCodes(machine().machine_no, machine().productIds[1]!)) >= 2);
      assert.equal(await sdk.cancelProductPickupCodes(machine().machine_no, machine().productIds[1]!), 0);
    });

    it('the CLI: codes cancel --ids and codes cancel-product --product print the count; --id with --ids is a usage error', async () => {
      const env = merchantEnv(server.url, merchant);
      const ids = await create(2);
      const listed = await vendcloud(['codes', 'cancel', '--machine-no', machine().machine_no, '--ids', ids.join(','), '--json'], env);
      assert.equal(listed.code, 0, listed.stderr);
      assert.deepEqual(json(listed), { count: 2 });
      await create(1, 1);
      const product = await vendcloud(['codes', 'cancel-product', '--machine-no', machine().machine_no, '--product', String(machine().productIds[1]), '--json'], env);
      assert.equal(product.code, 0, product.stderr);
      assert.ok(json(product).count >= 1);
      const both = await vendcloud(['codes', 'cancel', '--machine-no', machine().machine_no, '--id', '1', '--ids', '1,2'], env);
      assert.equal(both.code, 2);
    });
  });
}
