/** The read endpoints (PROTOCOL.md §6.1–6.4, 6.6, and the machine-wide query extension). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { formatWallTime, nowSeconds } from '../../src/protocol/time.js';
import { createMachine, createMerchant, setMachine } from '../../src/service/admin.js';
import { asMerchant, call, seedMerchant, startTestServer, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

for (const kind of storeKinds()) {
  describe(`reading machines, products and codes [${kind.name}]`, { skip: kind.skip }, () => {
    let server: TestServer;
    let now = nowSeconds();
    let merchant: MerchantFixture;
    let other: MerchantFixture;
    let api: ReturnType<typeof asMerchant>;
    let machineNo: string;
    let serial = 0;

    before(async () => {
      server = await startTestServer(kind, { clock: () => now, timestampWindowSeconds: 0 });
      merchant = await seedMerchant(server.store, { machines: 2, products: 13, capacity: 30 });
      other = await seedMerchant(server.store);
      api = asMerchant(server.url, merchant);
      machineNo = merchant.machines[0]!.machine_no;
    });
    after(() => server.close());

    const headersOnly = (path: string, m: { appid: string; app_secret: string } = merchant) => call(server.url, path, { appid: m.appid, secret: m.app_secret });
    const signed = (path: string, fields: Record<string, string>, method: 'POST' | 'PUT' = 'POST') => api(path, { nonce: String(++serial), ...fields }, method);

    it('ping answers pong to valid credentials', async () => {
      assert.deepEqual((await headersOnly('/ping')).body, { code: 0, message: 'ok', data: 'pong' });
    });

    it('lists the merchant’s own machines only: status true in operation, and false flags (offline, not operating) left out', async () => {
      const answer = await headersOnly('/rent/machines');
      assert.equal(answer.body.code, 0);
      assert.deepEqual(
        answer.body.data.map((m: { machine_no: string }) => m.machine_no),
        merchant.machines.map((m) => m.machine_no),
      );
      const first = answer.body.data[0];
      assert.equal(first.machine_name, `Machine ${machineNo}`);
      assert.equal(first.status, true, 'machines.md: status is a boolean');
      assert.ok(!('is_online' in first), 'offline is left out, protobuf style');
      assert.match(first.created_at, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      await server.store.db.updateTable('machines').set({ is_online: 1 }).where('machine_no', '=', machineNo).execute();
      assert.equal((await headersOnly('/rent/machines')).body.data[0].is_online, true);
      await server.store.db.updateTable('machines').set({ is_online: 0 }).where('machine_no', '=', machineNo).execute();
      await setMachine(server.store, machineNo, { operating: false });
      assert.ok(!('status' in (await headersOnly('/rent/machines')).body.data[0]), 'not in operation: status left out');
      await setMachine(server.store, machineNo, { operating: true });
    });

    it('answers 30001 to a merchant with no machine', async () => {
      const lonely = await createMerchant(server.store, { name: 'No machines' });
      assert.deepEqual((await headersOnly('/rent/machines', lonely)).body, { code: 30001, message: '没有关联的设备号', data: {} });
    });

    it('describes one machine with machine_type a number and the currency named in English, and answers 30003 for another merchant’s', async () => {
      const answer = await headersOnly(`/rent/machines/${machineNo}`);
      assert.equal(answer.body.code, 0);
      assert.deepEqual(answer.body.data.model, { cabinet_names: ['A'] });
      assert.deepEqual(answer.body.data.currency, { id: 1, name: 'Chinese Yuan', code: 'CNY', symbol: '¥' });
      assert.deepEqual(answer.body.data.categories.map((c: { title: string }) => c.title), ['Drinks']);
      assert.ok(!('machine_type' in answer.body.data), 'no type set: left out');
      await server.store.db.updateTable('machines').set({ machine_type: '1' }).where('machine_no', '=', machineNo).execute();
      assert.equal((await headersOnly(`/rent/machines/${machineNo}`)).body.data.machine_type, 1, 'machine.md: machine_type is a number');
      const foreign = await headersOnly(`/rent/machines/${other.machines[0]!.machine_no}`);
      assert.deepEqual(foreign.body, { code: 30003, message: '设备不存在', data: {} });
      assert.equal((await headersOnly('/rent/machines/12ab')).body.code, 10001);
    });

    it('pages products: default 10 per page, totals, last page; channel x and y are texts, addr a number', async () => {
      const first = await signed('/products', { machine_no: machineNo });
      assert.equal(first.body.code, 0);
      assert.equal(first.body.data.total, 13);
      assert.equal(first.body.data.per_page, 10);
      assert.equal(first.body.data.current_page, 1);
      assert.equal(first.body.data.last_page, 2);
      assert.equal(first.body.data.data.length, 10);
      const item = first.body.data.data[0];
      assert.deepEqual(Object.keys(item).sort(), ['category', 'channel', 'current_inventory', 'good', 'id', 'inventory', 'on_sale']);
      assert.equal(item.good.price, '3.50');
      assert.equal(item.inventory, 30);
      assert.equal(item.channel.name, 'A1');
      assert.deepEqual([item.channel.x, item.channel.y, item.channel.addr], ['0', '0', 1], 'products.md: x and y strings ("0" is sent), addr an int from 1');
      const second = await signed('/products', { machine_no: machineNo, page: '2' });
      assert.equal(second.body.data.data.length, 3);
      const all = await signed('/products', { machine_no: machineNo, select_all: '1' });
      assert.equal(all.body.data.data.length, 13);
      const capped = await signed('/products', { machine_no: machineNo, per_page: '500' });
      assert.equal(capped.body.data.per_page, 100, 'per_page is capped at 100');
      assert.equal((await signed('/products', { machine_no: machineNo, page: '0' })).body.code, 10001);
    });

    it('answers data [] for a cabinet or category with no product', async () => {
      assert.deepEqual((await signed('/products', { machine_no: machineNo, cabinet_name: 'Z' })).body, { code: 0, message: 'ok', data: [] });
      assert.deepEqual((await signed('/products', { machine_no: machineNo, category_id: '999999' })).body.data, []);
    });

    it('lists a product’s UNUSED unexpired codes in ascending id, and 60001 for a product of another machine', async () => {
      const productId = merchant.machines[0]!.productIds[0]!;
      const made = await signed('/pickup_codes', { machine_no: machineNo, method: 'pickup_code.product.id', product_id: String(productId), count: '4' });
      const expiring = await signed('/pickup_codes', {
        machine_no: machineNo,
        method: 'pickup_code.product.id',
        product_id: String(productId),
        expired_at: formatWallTime(now + 5),
      });
      const ids = made.body.data.codes.map((c: { id: number }) => c.id);
      assert.equal((await signed('/pickup_codes', { machine_no: machineNo, method: 'pickup_code.delete.id', id: String(ids[1]) }, 'PUT')).body.code, 0);
      const listed = await signed(`/products/${productId}/pickup_code`, { machine_no: machineNo });
      assert.equal(listed.body.code, 0);
      assert.deepEqual(
        listed.body.data.map((c: { id: number }) => c.id),
        [ids[0], ids[2], ids[3], expiring.body.data.codes[0].id],
      );
      assert.deepEqual(Object.keys(listed.body.data[0]).sort(), ['code', 'created_at', 'id', 'quantity', 'status']);
      assert.equal(listed.body.data[3].expired_at, formatWallTime(now + 5));
      now += 10;
      const later = await signed(`/products/${productId}/pickup_code`, { machine_no: machineNo });
      assert.equal(later.body.data.length, 3, 'the expired code no longer shows');
      const foreignProduct = await signed(`/products/${merchant.machines[1]!.productIds[0]}/pickup_code`, { machine_no: machineNo });
      assert.deepEqual(foreignProduct.body, { code: 60001, message: '商品不存在', data: {} });
      assert.equal((await signed('/products/abc/pickup_code', { machine_no: machineNo })).body.code, 10001);
    });

    it('queries codes across the machine by status, product and page (extension)', async () => {
      const machine = merchant.machines[1]!;
      const [p1, p2] = machine.productIds as [number, number];
      const made1 = await signed('/pickup_codes', { machine_no: machine.machine_no, method: 'pickup_code.product.id', product_id: String(p1), count: '5' });
      const made2 = await signed('/pickup_codes', {
        machine_no: machine.machine_no,
        method: 'pickup_code.product.id',
        product_id: String(p2),
        count: '2',
        expired_at: formatWallTime(now + 5),
      });
      const cancelledId = made1.body.data.codes[0].id;
      assert.equal((await signed('/pickup_codes', { machine_no: machine.machine_no, method: 'pickup_code.delete.id', id: String(cancelledId) }, 'PUT')).body.code, 0);
      now += 10;
      const query = (fields: Record<string, string>) => signed('/pickup_codes/query', { machine_no: machine.machine_no, ...fields });
      const unused = await query({});
      assert.equal(unused.body.data.total, 4);
      assert.ok(unused.body.data.data.every((c: { status: string }) => c.status === 'UNUSED'));
      const expired = await query({ status: 'EXPIRED' });
      assert.deepEqual(expired.body.data.data.map((c: { id: number }) => c.id), made2.body.data.codes.map((c: { id: number }) => c.id));
      assert.ok(expired.body.data.data.every((c: { status: string }) => c.status === 'EXPIRED'));
      const cancelled = await query({ status: 'CANCELLED' });
      assert.deepEqual(cancelled.body.data.data.map((c: { id: number; status: string }) => [c.id, c.status]), [[cancelledId, 'CANCELLED']]);
      assert.ok(cancelled.body.data.data[0].cancelled_at);
      const all = await query({ status: 'ALL', per_page: '3', page: '2' });
      assert.equal(all.body.data.total, 7);
      assert.equal(all.body.data.last_page, 3);
      assert.equal(all.body.data.data.length, 3);
      const byProduct = await query({ status: 'ALL', product_id: String(p2) });
      assert.equal(byProduct.body.data.total, 2);
      assert.equal((await query({ status: 'DELETED' })).body.code, 10001);
      assert.deepEqual((await query({ status: 'USED' })).body.data, { current_page: 1, last_page: 1, per_page: 10 }, 'an empty list and a 0 total are left out');
    });

    it('answers 30003 to every signed read of another merchant’s machine', async () => {
      const foreign = other.machines[0]!;
      for (const [path, fields] of [
        ['/products', {}],
        [`/products/${foreign.productIds[0]}/pickup_code`, {}],
        ['/pickup_codes/query', { status: 'ALL' }],
      ] as const) {
        const answer = await signed(path, { machine_no: foreign.machine_no, ...fields });
        assert.equal(answer.body.code, 30003, path);
      }
    });

    it('shows times in the configured platform time zone', async () => {
      const utc = await startTestServer(kind, { timeZone: 'UTC' });
      try {
        const m = await createMerchant(utc.store, { name: 'tz' });
        const machine = await createMachine(utc.store, { merchantId: m.merchant_id, machineNo: '31000001' });
        const before = nowSeconds();
        const answer = await call(utc.url, '/rent/machines', { appid: m.appid, secret: m.app_secret });
        const shown = answer.body.data[0].created_at as string;
        assert.ok([formatWallTime(before, 'UTC'), formatWallTime(before - 1, 'UTC'), formatWallTime(before + 1, 'UTC')].includes(shown), shown);
        assert.equal(machine.machine_no, '31000001');
      } finally {
        await utc.close();
      }
    });
  });
}
