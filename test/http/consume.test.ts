/** POST /consumes (PROTOCOL.md §6.8): a code becomes an order, atomically. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { formatWallDay, formatWallTime, nowSeconds } from '../../src/protocol/time.js';
import { setMachine, setProductInventory } from '../../src/service/admin.js';
import { asMerchant, seedMerchant, startTestServer, writtenRows, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

for (const kind of storeKinds()) {
  describe(`consuming pickup codes [${kind.name}]`, { skip: kind.skip }, () => {
    let server: TestServer;
    let now = nowSeconds();
    let merchant: MerchantFixture;
    let api: ReturnType<typeof asMerchant>;
    let machineNo: string;
    let productId: number;
    let serial = 0;

    before(async () => {
      server = await startTestServer(kind, { clock: () => now, timestampWindowSeconds: 0 });
      merchant = await seedMerchant(server.store, { products: 2, capacity: 20, inventory: 20, price: '4.50' });
      api = asMerchant(server.url, merchant);
      machineNo = merchant.machines[0]!.machine_no;
      productId = merchant.machines[0]!.productIds[0]!;
    });
    after(() => server.close());

    const tradeId = () => `ORDER-${process.pid}-${++serial}`.padEnd(24, 'x');
    const create = async (extra: Record<string, string> = {}) => {
      const answer = await api('/pickup_codes', { machine_no: machineNo, method: 'pickup_code.product.id', product_id: String(productId), nonce: String(++serial), ...extra });
      assert.equal(answer.body.code, 0, JSON.stringify(answer.body));
      return answer.body.data.codes[0] as { id: number; code: string };
    };
    const consume = (code: string, extra: Record<string, string> = {}) =>
      api('/consumes', {
        machine_no: machineNo,
        method: 'event.consume.pickup_code',
        code,
        product_id: String(productId),
        trade_id: tradeId(),
        notify_url: 'https://merchant.example/notify?x=1',
        ...extra,
      });
    const inventory = async () =>
      (await server.store.db.selectFrom('products').select('inventory').where('id', '=', productId).executeTakeFirstOrThrow()).inventory;

    it('marks the code USED, creates a PICKUPCODE order with one record at the product price, and takes one from stock; the answer is dated by day, its record 未取货', async () => {
      const code = await create();
      const stock = await inventory();
      const trade = tradeId();
      const answer = await consume(code.code, { trade_id: trade });
      assert.equal(answer.body.code, 0, JSON.stringify(answer.body));
      const data = answer.body.data;
      assert.equal(data.trade_id, trade);
      assert.equal(data.status, 'PICKUPCODE');
      assert.equal(data.amount, '4.50');
      assert.equal(data.pickup_code_id, code.id);
      assert.equal(data.date, formatWallDay(now), 'the consume page’s date is the day, as "2024-04-29"');
      assert.equal(data.records.length, 1);
      assert.deepEqual({ ...data.records[0], id: undefined }, { id: undefined, product_id: productId, quantity: 1, price: '4.50', status: '未取货', notify_sent: '0' });
      assert.equal(await inventory(), stock - 1);
      const row = await server.store.db.selectFrom('pickup_codes').selectAll().where('id', '=', code.id).executeTakeFirstOrThrow();
      assert.equal(row.status, 'USED');
      assert.equal(row.order_id, data.order_id);
      const order = await server.store.db.selectFrom('orders').selectAll().where('id', '=', data.order_id).executeTakeFirstOrThrow();
      assert.equal(order.status, 'PICKUPCODE');
      assert.equal(order.pickup_code_id, code.id);
    });

    it('answers 10025 with the order id for a code consumed before', async () => {
      const code = await create();
      const first = await consume(code.code);
      const second = await consume(code.code);
      assert.deepEqual(second.body, { code: 10025, message: '取货码已使用', data: { order_id: first.body.data.order_id } });
    });

    it('answers 10024 for a code at or past its expiry second and leaves it unused: no order, stock untouched', async () => {
      const code = await create({ expired_at: formatWallTime(now + 10) });
      const stock = await inventory();
      now += 10;
      const answer = await consume(code.code);
      assert.deepEqual(answer.body, { code: 10024, message: '取货码已过期', data: {} });
      const row = await server.store.db.selectFrom('pickup_codes').select(['status', 'order_id']).where('id', '=', code.id).executeTakeFirstOrThrow();
      assert.deepEqual(row, { status: 'UNUSED', order_id: null });
      assert.equal(await inventory(), stock);
    });

    it('answers 80002 for an unknown code, or a code of another product', async () => {
      // Every code of this machine has 6 digits, so a 10-digit one cannot exist.
      assert.deepEqual((await consume('1000000001')).body, { code: 80002, message: '查不到对应记录', data: {} });
      const code = await create();
      const answer = await consume(code.code, { product_id: String(merchant.machines[0]!.productIds[1]) });
      assert.equal(answer.body.code, 80002);
    });

    it('answers 60003 when the product is out of stock, and changes nothing', async () => {
      const code = await create();
      await setProductInventory(server.store, productId, 0);
      try {
        const before = await writtenRows(server.store);
        const answer = await consume(code.code);
        assert.deepEqual(answer.body, { code: 60003, message: '商品库存不足', data: {} });
        // Without an idempotency key not even an answer is stored.
        assert.deepEqual(await writtenRows(server.store), before);
      } finally {
        await setProductInventory(server.store, productId, 20);
      }
    });

    it('answers 10023 when the feature is off and 30004 when the machine is not operating', async () => {
      const code = await create();
      await setMachine(server.store, machineNo, { pickupCodes: false });
      assert.equal((await consume(code.code)).body.code, 10023);
      await setMachine(server.store, machineNo, { pickupCodes: true, operating: false });
      assert.equal((await consume(code.code)).body.code, 30004);
      await setMachine(server.store, machineNo, { operating: true });
      assert.equal((await consume(code.code)).body.code, 0);
    });

    it('refuses bad fields with 10001 naming each, before looking at the machine', async () => {
      const code = await create();
      const before = await writtenRows(server.store);
      const cases: Array<[Record<string, string>, string]> = [
        [{ code: '12345' }, 'code'],
        [{ code: 'abcdef' }, 'code'],
        [{ trade_id: 'short' }, 'trade_id'],
        [{ trade_id: 'x'.repeat(33) }, 'trade_id'],
        [{ trade_id: 'has spaces in it 12345678' }, 'trade_id'],
        [{ notify_url: 'ftp://merchant.example/' }, 'notify_url'],
        [{ notify_url: 'javascript:alert(1)' }, 'notify_url'],
        [{ notify_url: 'not a url' }, 'notify_url'],
        [{ product_id: 'x' }, 'product_id'],
        [{ machine_no: '9999999x', code: '12345' }, 'machine_no'],
      ];
      for (const [fields, field] of cases) {
        const answer = await consume(code.code, fields);
        assert.equal(answer.body.code, 10001, JSON.stringify(fields));
        assert.match(answer.body.message, new RegExp(`: ${field}`));
      }
      assert.deepEqual(await writtenRows(server.store), before);
    });

    it('a consume repeated with its trade_id, code and product gets the first order again and consumes once, even without a key', async () => {
      const code = await create();
      const fields = { trade_id: tradeId() };
      const first = await consume(code.code, fields);
      assert.equal(first.body.code, 0);
      const [stock, rows] = [await inventory(), await writtenRows(server.store)];
      now += 5;
      await setMachine(server.store, machineNo, { operating: false });
      try {
        assert.deepEqual((await consume(code.code, fields)).body, first.body, 'the same body, even after the machine stopped operating');
      } finally {
        await setMachine(server.store, machineNo, { operating: true });
      }
      assert.equal(await inventory(), stock);
      assert.deepEqual(await writtenRows(server.store), rows);
    });

    it('refuses with 10001 a trade_id used before with another code, product or notify_url', async () => {
      const [a, b] = [await create(), await create()];
      const trade = tradeId();
      assert.equal((await consume(a.code, { trade_id: trade })).body.code, 0);
      const rows = await writtenRows(server.store);
      const others: Array<[string, Record<string, string>]> = [
        [b.code, { trade_id: trade }],
        [a.code, { trade_id: trade, product_id: String(merchant.machines[0]!.productIds[1]) }],
        [a.code, { trade_id: trade, notify_url: 'https://merchant.example/elsewhere' }],
      ];
      for (const [code, fields] of others) {
        const again = await consume(code, fields);
        assert.equal(again.body.code, 10001, JSON.stringify(fields));
        assert.match(again.body.message, /: trade_id has been used already/);
      }
      assert.deepEqual(await writtenRows(server.store), rows);
    });

    it('twin consumes sent at once with one trade_id make one order, and each gets it', async () => {
      const code = await create();
      const stock = await inventory();
      const fields = { trade_id: tradeId() };
      const answers = await Promise.all(Array.from({ length: 8 }, () => consume(code.code, fields)));
      for (const answer of answers) assert.deepEqual(answer.body, answers[0]!.body);
      assert.equal(answers[0]!.body.code, 0);
      assert.equal(await inventory(), stock - 1);
      const orders = await server.store.db.selectFrom('orders').select('id').where('trade_id', '=', fields.trade_id).execute();
      assert.equal(orders.length, 1);
    });

    it('answers 10004 for another method', async () => {
      const code = await create();
      assert.equal((await consume(code.code, { method: 'event.consume.other' })).body.code, 10004);
    });
  });
}
