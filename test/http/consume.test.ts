import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { asMerchant, seedMerchant, startTestServer, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

let tradeSerial = 0;
const tradeId = () => `consumetest${process.pid}${String(++tradeSerial).padStart(8, '0')}`;

for (const kind of storeKinds()) {
  describe(`consuming a pickup code through the API [${kind.name}]`, () => {
    let server: TestServer;
    let merchant: MerchantFixture;
    let api: ReturnType<typeof asMerchant>;
    before(async () => {
      server = await startTestServer(kind);
      merchant = await seedMerchant(server.store, { products: 2, capacity: 10 });
      api = asMerchant(server.url, merchant);
    });
    after(() => server.close());

    const machine = () => merchant.machines[0]!;
    const create = async (productId: number) => {
      // A nonce keeps each create distinct: an identical signed request is answered once.
      const answer = await api('/pickup_codes', { machine_no: machine().machine_no, method: 'pickup_code.product.id', product_id: String(productId), nonce: tradeId() });
      assert.equal(answer.body.code, 0, JSON.stringify(answer.body));
      return answer.body.data.codes[0] as { id: number; code: string };
    };
    const consume = (code: string, productId: number) =>
      api('/consumes', {
        machine_no: machine().machine_no,
        method: 'event.consume.pickup_code',
        code,
        product_id: String(productId),
        trade_id: tradeId(),
        notify_url: 'https://merchant.example/notify',
      });

    it('consumes a live code once; a second consume answers 10025 naming the order', async () => {
      const productId = machine().productIds[0]!;
      const code = await create(productId);
      const first = await consume(code.code, productId);
      assert.equal(first.body.code, 0, JSON.stringify(first.body));
      assert.equal(first.body.data.pickup_code_id, code.id);
      const again = await consume(code.code, productId);
      assert.equal(again.body.code, 10025);
      assert.deepEqual(again.body.data, { order_id: first.body.data.order_id });
    });

    it('a cancelled code, or a live code named with another product, is 80002', async () => {
      const [productId, otherProductId] = machine().productIds as [number, number];
      const cancelled = await create(productId);
      const cancel = await api('/pickup_codes', { machine_no: machine().machine_no, method: 'pickup_code.delete.id', id: String(cancelled.id) }, 'PUT');
      assert.equal(cancel.body.code, 0);
      assert.equal((await consume(cancelled.code, productId)).body.code, 80002);
      const live = await create(productId);
      assert.equal((await consume(live.code, otherProductId)).body.code, 80002);
      assert.equal((await consume(live.code, productId)).body.code, 0);
    });
  });
}
