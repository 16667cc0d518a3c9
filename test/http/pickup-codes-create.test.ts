/** POST /pickup_codes (PROTOCOL.md §6.5): who may create which codes, and what a code is. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { formatWallTime, nowSeconds } from '../../src/protocol/time.js';
import { createProduct, setMachine } from '../../src/service/admin.js';
import { asMerchant, seedMerchant, startTestServer, writtenRows, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

for (const kind of storeKinds()) {
  describe(`creating pickup codes [${kind.name}]`, { skip: kind.skip }, () => {
    let server: TestServer;
    let merchant: MerchantFixture;
    let other: MerchantFixture;
    let api: ReturnType<typeof asMerchant>;
    let machineNo: string;
    let productId: number;

    before(async () => {
      server = await startTestServer(kind);
      merchant = await seedMerchant(server.store, { products: 3, capacity: 10, inventory: 4 });
      other = await seedMerchant(server.store);
      api = asMerchant(server.url, merchant);
      machineNo = merchant.machines[0]!.machine_no;
      productId = merchant.machines[0]!.productIds[0]!;
    });
    after(() => server.close());

    const createForProduct = (extra: Record<string, string> = {}) =>
      api('/pickup_codes', { machine_no: machineNo, method: 'pickup_code.product.id', product_id: String(productId), ...extra });

    it('creates one six-digit code by default, first digit not 0, UNUSED, never expiring', async () => {
      const answer = await createForProduct();
      assert.equal(answer.body.code, 0);
      const [code] = answer.body.data.codes;
      assert.equal(answer.body.data.codes.length, 1);
      assert.match(code.code, /^[1-9][0-9]{5}$/);
      assert.equal(code.status, 'UNUSED');
      assert.equal(code.product_id, productId);
      assert.equal(code.quantity, 1);
      assert.ok(!('expired_at' in code), 'a code that never expires has no expired_at');
      assert.match(code.created_at, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    });

    it('creates count codes of code_length digits, distinct, with the given expiry', async () => {
      const expiredAt = formatWallTime(nowSeconds() + 3600);
      const answer = await createForProduct({ count: '10', code_length: '10', expired_at: expiredAt, quantity: '7' });
      assert.equal(answer.body.code, 0, JSON.stringify(answer.body));
      const codes = answer.body.data.codes as Array<{ code: string; expired_at: string; quantity: number }>;
      assert.equal(codes.length, 10);
      assert.equal(new Set(codes.map((c) => c.code)).size, 10);
      for (const code of codes) {
        assert.match(code.code, /^[1-9][0-9]{9}$/);
        assert.equal(code.expired_at, expiredAt);
        assert.equal(code.quantity, 1, 'quantity is accepted and stored as 1');
      }
    });

    it('keeps codes unique among the machine’s UNUSED codes even when the space is nearly full', async () => {
      // 6-digit codes; ask for many to make collisions likely across requests.
      const seen = new Set<string>();
      const product = await createProduct(server.store, { machineNo, name: 'Bulk', price: '1.00', capacity: 1000, inventory: 1000 });
      for (let round = 0; round < 3; round++) {
        const answer = await api('/pickup_codes', { machine_no: machineNo, method: 'pickup_code.product.id', product_id: String(product.id), count: '1000' });
        assert.equal(answer.body.code, 0);
        for (const code of answer.body.data.codes) seen.add(code.code);
      }
      const unused = await server.store.db
        .selectFrom('pickup_codes')
        .select((eb) => [eb.fn.countAll<number>().as('all'), eb.fn.count<number>('code').distinct().as('distinct')])
        .innerJoin('machines', 'machines.id', 'pickup_codes.machine_id')
        .where('machines.machine_no', '=', machineNo)
        .where('status', '=', 'UNUSED')
        .executeTakeFirstOrThrow();
      assert.equal(Number(unused.all), Number(unused.distinct));
    });

    it('.all tops every on-sale product up to its inventory, never more codes than items', async () => {
      const fresh = await seedMerchant(server.store, { products: 3, capacity: 10, inventory: 3 });
      const freshApi = asMerchant(server.url, fresh);
      const machine = fresh.machines[0]!;
      await freshApi('/pickup_codes', { machine_no: machine.machine_no, method: 'pickup_code.product.id', product_id: String(machine.productIds[0]), count: '2' });
      const offSale = await createProduct(server.store, { machineNo: machine.machine_no, name: 'Off', price: '1.00', capacity: 5, inventory: 5, onSale: false });
      const empty = await createProduct(server.store, { machineNo: machine.machine_no, name: 'Empty', price: '1.00', capacity: 5, inventory: 0 });
      const all = await freshApi('/pickup_codes', { machine_no: machine.machine_no, method: 'pickup_code.product.all' });
      assert.equal(all.body.code, 0);
      const byProduct = new Map<number, number>();
      for (const code of all.body.data.codes) byProduct.set(code.product_id, (byProduct.get(code.product_id) ?? 0) + 1);
      assert.equal(byProduct.get(machine.productIds[0]!), 1, 'product with 2 live codes and 3 items gets 1 more');
      assert.equal(byProduct.get(machine.productIds[1]!), 3);
      assert.equal(byProduct.get(machine.productIds[2]!), 3);
      assert.ok(!byProduct.has(offSale.id) && !byProduct.has(empty.id));
      // Without an idempotency key the same request runs again, as on the original.
      const again = await freshApi('/pickup_codes', { machine_no: machine.machine_no, method: 'pickup_code.product.all' });
      assert.deepEqual(again.body, { code: 0, message: 'ok', data: {} }, 'a second .all creates zero codes: the empty list is left out, as the docs’ data {}');
    });

    it('refuses bad fields with 10001 and writes nothing', async () => {
      const before = await writtenRows(server.store);
      const cases: Array<[Record<string, string>, RegExp]> = [
        [{ code_length: '5' }, /code_length/],
        [{ code_length: '11' }, /code_length/],
        [{ code_length: 'six' }, /code_length/],
        [{ count: '0' }, /count/],
        [{ count: '11' }, /count/],
        [{ count: '-1' }, /count/],
        [{ expired_at: formatWallTime(nowSeconds() - 60) }, /expired_at/],
        [{ expired_at: '2030-02-30 10:00:00' }, /expired_at/],
        [{ expired_at: '2030/01/01 10:00:00' }, /expired_at/],
        [{ expired_at: 'tomorrow' }, /expired_at/],
        [{ product_id: 'abc' }, /product_id/],
        [{ product_id: '0' }, /product_id/],
        [{ machine_no: '1234abcd' }, /machine_no/],
        [{ machine_no: "1' OR '1'='1" }, /machine_no/],
      ];
      for (const [fields, field] of cases) {
        const answer = await createForProduct(fields);
        assert.equal(answer.body.code, 10001, JSON.stringify(fields));
        assert.equal(answer.status, 400);
        assert.match(answer.body.message, field);
      }
      assert.deepEqual(await writtenRows(server.store), before);
    });

    it('answers 10004 for a missing or unknown method', async () => {
      const noMethod = await api('/pickup_codes', { machine_no: machineNo, product_id: String(productId) });
      assert.equal(noMethod.body.code, 10004);
      assert.equal(noMethod.status, 400);
      const wrong = await api('/pickup_codes', { machine_no: machineNo, method: 'pickup_code.delete.id', product_id: String(productId) });
      assert.equal(wrong.body.code, 10004);
    });

    it('answers 30003 for another merchant’s machine, exactly as for a missing one', async () => {
      const foreign = await api('/pickup_codes', { machine_no: other.machines[0]!.machine_no, method: 'pickup_code.product.id', product_id: String(other.machines[0]!.productIds[0]) });
      const missing = await api('/pickup_codes', { machine_no: '99999999', method: 'pickup_code.product.id', product_id: '1' });
      assert.deepEqual(foreign.body, { code: 30003, message: '设备不存在', data: {} });
      assert.deepEqual(missing.body, foreign.body);
      assert.equal(foreign.status, 200);
    });

    it('answers 60001 for a product of another machine, 60002 for one off sale', async () => {
      const otherProduct = await createForProduct({ product_id: String(other.machines[0]!.productIds[0]) });
      assert.deepEqual(otherProduct.body, { code: 60001, message: '商品不存在', data: {} });
      const offSale = await createProduct(server.store, { machineNo, name: 'Off sale', price: '1.00', capacity: 5, inventory: 5, onSale: false });
      const answer = await createForProduct({ product_id: String(offSale.id) });
      assert.deepEqual(answer.body, { code: 60002, message: '商品已下架', data: {} });
    });

    it('answers 10023 when the machine’s pickup-code feature is off', async () => {
      const fresh = await seedMerchant(server.store);
      await setMachine(server.store, fresh.machines[0]!.machine_no, { pickupCodes: false });
      const answer = await asMerchant(server.url, fresh)('/pickup_codes', {
        machine_no: fresh.machines[0]!.machine_no,
        method: 'pickup_code.product.all',
      });
      assert.deepEqual(answer.body, { code: 10023, message: '取货码功能尚未开启', data: {} });
    });

    it('writes a history row and a machine push for every created code, in the same transaction', async () => {
      const answer = await createForProduct({ count: '3' });
      const ids = answer.body.data.codes.map((c: { id: number }) => c.id);
      const history = await server.store.db.selectFrom('code_history').selectAll().where('pickup_code_id', 'in', ids).execute();
      assert.equal(history.length, 3);
      for (const row of history) {
        assert.equal(row.action, 'create');
        assert.equal(row.to_status, 'UNUSED');
        assert.equal(row.actor, `merchant:${merchant.merchant_id}`);
        assert.match(String(row.request_id), /^[0-9a-f-]{36}$/);
      }
      const pushes = await server.store.db.selectFrom('outbox').select('body').where('method', '=', 'client.pickup_codes.create').execute();
      const pushedIds = pushes.map((p) => JSON.parse(p.body).id);
      for (const id of ids) assert.ok(pushedIds.includes(String(id)));
    });
  });
}
