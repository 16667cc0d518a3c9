/**
 * Every SDK method against the real server on loopback: what it returns on success, and
 * the typed OpenApiError it throws on a documented failure.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { OpenApiError, VendcloudClient } from '../../src/client/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { setMachine } from '../../src/service/admin.js';
import { formatWallTime } from '../../src/protocol/time.js';
import { clientFor, tradeId } from '../helpers/client.js';
import { seedMerchant, startTestServer, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

/** Resolves when `promise` rejects with an OpenApiError of that code; returns it for more checks. */
async function rejectsWith(promise: Promise<unknown>, code: number, httpStatus = 200): Promise<OpenApiError> {
  const error = await promise.then(
    () => assert.fail(`expected error ${code}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof OpenApiError, `not an OpenApiError: ${String(error)}`);
  assert.equal(error.code, code, error.message);
  assert.equal(error.httpStatus, httpStatus);
  assert.ok(error.requestId, 'carries the x-request-id');
  return error;
}

const inOneDay = () => new Date((Math.floor(Date.now() / 1000) + 86_400) * 1000);

for (const kind of storeKinds()) {
  describe(`SDK methods [${kind.name}]`, { skip: kind.skip }, () => {
    let server: TestServer;
    let merchant: MerchantFixture;
    let other: MerchantFixture;
    let client: VendcloudClient;
    let machineNo: string;
    let productId: number;
    before(async () => {
      server = await startTestServer(kind);
      merchant = await seedMerchant(server.store, { machines: 2, products: 2, capacity: 10, inventory: 4 });
      other = await seedMerchant(server.store);
      client = clientFor(server.url, merchant);
      machineNo = merchant.machines[0]!.machine_no;
      productId = merchant.machines[0]!.productIds[0]!;
    });
    after(() => server.close());

    it('ping answers pong with valid credentials', async () => {
      assert.equal(await client.ping(), 'pong');
    });

    it('a wrong AppSecret is OpenApiError 10013 with HTTP 401', async () => {
      const error = await rejectsWith(clientFor(server.url, { ...merchant, app_secret: 'x'.repeat(32) }).ping(), ErrorCode.APP_SECRET_INVALID, 401);
      assert.equal(error.message, 'app secret is invalid');
    });

    it('a wrong merchant id as signing key is 10002 with HTTP 401', async () => {
      await rejectsWith(clientFor(server.url, { ...merchant, merchant_id: merchant.merchant_id + 1000 }).listPickupCodes(machineNo, productId), ErrorCode.SIGN_INVALID, 401);
    });

    it('listMachines lists the merchant’s machines, offline as isOnline false, in operation as status true, created_at as a Date', async () => {
      const machines = await client.listMachines();
      assert.deepEqual(machines.map((m) => m.machineNo), merchant.machines.map((m) => m.machine_no));
      assert.equal(machines[0]!.isOnline, false);
      assert.equal(machines[0]!.status, true);
      assert.equal(machines[0]!.machineName, `Machine ${machineNo}`);
      assert.ok(machines[0]!.createdAt instanceof Date && !Number.isNaN(machines[0]!.createdAt.getTime()));
    });

    it('listMachines of a merchant without machines is 30001', async () => {
      const lonely = await seedMerchant(server.store, { machines: 0 });
      await rejectsWith(clientFor(server.url, lonely).listMachines(), ErrorCode.NO_MACHINE);
    });

    it('getMachine describes the machine: categories, cabinets, currency', async () => {
      const machine = await client.getMachine(machineNo);
      assert.equal(machine.isOnline, false);
      assert.deepEqual(machine.categories.map((c) => c.title), ['Drinks']);
      assert.deepEqual(machine.cabinetNames, ['A']);
      assert.equal(machine.currency?.code, 'CNY');
      assert.equal(machine.machineType, undefined, 'no type set');
    });

    it('a machine not in operation reads status false (the wire leaves it out); machine_type reads as a number', async () => {
      const owner = await seedMerchant(server.store, { products: 0 });
      const ownMachineNo = owner.machines[0]!.machine_no;
      await setMachine(server.store, ownMachineNo, { operating: false });
      await server.store.db.updateTable('machines').set({ machine_type: '3' }).where('machine_no', '=', ownMachineNo).execute();
      const sdk = clientFor(server.url, owner);
      assert.equal((await sdk.listMachines())[0]!.status, false);
      assert.equal((await sdk.getMachine(ownMachineNo)).machineType, 3);
    });

    it('getMachine of another merchant’s machine is 30003, like a missing one', async () => {
      await rejectsWith(client.getMachine(other.machines[0]!.machine_no), ErrorCode.MACHINE_NOT_FOUND);
      await rejectsWith(client.getMachine('99999999'), ErrorCode.MACHINE_NOT_FOUND);
    });

    it('listProducts pages the machine’s products with price, stock, capacity and the slot’s position as numbers', async () => {
      const page = await client.listProducts(machineNo, { perPage: 1 });
      assert.equal(page.total, 2);
      assert.equal(page.lastPage, 2);
      assert.equal(page.data.length, 1);
      const [product] = page.data;
      assert.equal(product!.id, productId);
      assert.equal(product!.good.price, '3.50');
      assert.equal(product!.currentInventory, 4);
      assert.equal(product!.inventory, 10);
      assert.equal(product!.onSale, true);
      assert.equal(product!.channel.name, 'A1');
      assert.deepEqual([product!.channel.x, product!.channel.y, product!.channel.addr], [0, 0, 1]);
      const all = await client.listProducts(machineNo, { selectAll: true });
      assert.deepEqual(all.data.map((p) => p.id), merchant.machines[0]!.productIds);
    });

    it('listProducts of a machine without products is an empty page, not the original’s bare []', async () => {
      const empty = await seedMerchant(server.store, { products: 0 });
      const page = await clientFor(server.url, empty).listProducts(empty.machines[0]!.machine_no);
      assert.deepEqual(page, { data: [], total: 0, currentPage: 1, lastPage: 1, perPage: 10 });
    });

    it('listProducts of a foreign machine is 30003', async () => {
      await rejectsWith(client.listProducts(other.machines[0]!.machine_no), ErrorCode.MACHINE_NOT_FOUND);
    });

    it('createPickupCodes creates count codes of codeLength digits; a Date expiredAt comes back as the same instant', async () => {
      const expiredAt = inOneDay();
      const codes = await client.createPickupCodes(machineNo, { productId, count: 3, codeLength: 8, expiredAt });
      assert.equal(codes.length, 3);
      for (const code of codes) {
        assert.match(code.code, /^[1-9][0-9]{7}$/);
        assert.equal(code.status, 'UNUSED');
        assert.equal(code.productId, productId);
        assert.equal(code.quantity, 1);
        assert.equal(code.expiredAt?.getTime(), expiredAt.getTime());
        assert.ok(code.createdAt instanceof Date);
      }
    });

    it('createPickupCodes takes expiredAt as platform wall time too, and without it codes never expire', async () => {
      const expiredAt = inOneDay();
      const [timed] = await client.createPickupCodes(machineNo, { productId, expiredAt: formatWallTime(expiredAt.getTime() / 1000) });
      assert.equal(timed!.expiredAt?.getTime(), expiredAt.getTime());
      const [forever] = await client.createPickupCodes(machineNo, { productId });
      assert.equal(forever!.expiredAt, undefined);
      assert.equal(forever!.code.length, 6);
    });

    it('createPickupCodes for a product not on the machine is 60001; a past expiredAt is 10001 with HTTP 400', async () => {
      await rejectsWith(client.createPickupCodes(machineNo, { productId: other.machines[0]!.productIds[0]! }), ErrorCode.PRODUCT_NOT_FOUND);
      const error = await rejectsWith(client.createPickupCodes(machineNo, { productId, expiredAt: new Date(Date.now() - 60_000) }), ErrorCode.FIELD_INVALID, 400);
      assert.match(error.message, /expired_at/);
    });

    it('two identical calls in the same second are two requests: each creates its codes', async () => {
      const before = (await client.queryPickupCodes(machineNo, { productId, status: 'ALL' })).total;
      const [a, b] = await Promise.all([client.createPickupCodes(machineNo, { productId }), client.createPickupCodes(machineNo, { productId })]);
      assert.notEqual(a[0]!.id, b[0]!.id);
      assert.equal((await client.queryPickupCodes(machineNo, { productId, status: 'ALL' })).total, before + 2);
    });

    it('createPickupCodesForAllProducts tops every product up to its stock', async () => {
      const machine = merchant.machines[1]!;
      const codes = await client.createPickupCodesForAllProducts(machine.machine_no, { codeLength: 7 });
      assert.equal(codes.length, 8, 'two products with 4 items each');
      assert.deepEqual(new Set(codes.map((c) => c.productId)), new Set(machine.productIds));
      assert.deepEqual(await client.createPickupCodesForAllProducts(machine.machine_no), [], 'nothing left to top up');
    });

    it('createPickupCodesForAllProducts on a foreign machine is 30003', async () => {
      await rejectsWith(client.createPickupCodesForAllProducts(other.machines[0]!.machine_no), ErrorCode.MACHINE_NOT_FOUND);
    });

    it('listPickupCodes lists the product’s live codes in ascending id, with the product id filled in', async () => {
      const [created] = await client.createPickupCodes(machineNo, { productId });
      const listed = await client.listPickupCodes(machineNo, productId);
      assert.ok(listed.some((c) => c.id === created!.id && c.code === created!.code && c.productId === productId));
      assert.deepEqual(listed.map((c) => c.id), [...listed.map((c) => c.id)].sort((x, y) => x - y));
    });

    it('listPickupCodes of a product of another machine is 60001', async () => {
      await rejectsWith(client.listPickupCodes(machineNo, merchant.machines[1]!.productIds[0]!), ErrorCode.PRODUCT_NOT_FOUND);
    });

    it('queryPickupCodes filters by status and pages; cancelled codes show with cancelledAt', async () => {
      const product = merchant.machines[0]!.productIds[1]!;
      const codes = await client.createPickupCodes(machineNo, { productId: product, count: 3 });
      await client.cancelPickupCode(machineNo, codes[0]!.id);
      const unused = await client.queryPickupCodes(machineNo, { productId: product });
      assert.deepEqual(unused.data.map((c) => c.id), [codes[1]!.id, codes[2]!.id]);
      const cancelled = await client.queryPickupCodes(machineNo, { productId: product, status: 'CANCELLED' });
      assert.deepEqual(cancelled.data.map((c) => [c.id, c.status]), [[codes[0]!.id, 'CANCELLED']]);
      assert.ok(cancelled.data[0]!.cancelledAt instanceof Date);
      const paged = await client.queryPickupCodes(machineNo, { productId: product, status: 'ALL', perPage: 2, page: 2 });
      assert.deepEqual({ total: paged.total, currentPage: paged.currentPage, lastPage: paged.lastPage, ids: paged.data.map((c) => c.id) }, {
        total: 3,
        currentPage: 2,
        lastPage: 2,
        ids: [codes[2]!.id],
      });
    });

    it('queryPickupCodes on a foreign machine is 30003; an unknown status is 10001', async () => {
      await rejectsWith(client.queryPickupCodes(other.machines[0]!.machine_no), ErrorCode.MACHINE_NOT_FOUND);
      await rejectsWith(client.queryPickupCodes(machineNo, { status: 'LOST' as never }), ErrorCode.FIELD_INVALID, 400);
    });

    it('cancelPickupCode cancels once; again, or an unknown id, is 80002', async () => {
      const [code] = await client.createPickupCodes(machineNo, { productId });
      await client.cancelPickupCode(machineNo, code!.id);
      await rejectsWith(client.cancelPickupCode(machineNo, code!.id), ErrorCode.RECORD_NOT_FOUND);
      await rejectsWith(client.cancelPickupCode(machineNo, 987_654_321), ErrorCode.RECORD_NOT_FOUND);
    });

    it('consumePickupCode spends a code into a PICKUPCODE order; cancelling or consuming it again is 10025 naming the order', async () => {
      const [code] = await client.createPickupCodes(machineNo, { productId });
      const trade = tradeId();
      const order = await client.consumePickupCode(machineNo, { code: code!.code, productId, tradeId: trade, notifyUrl: 'https://merchant.example/notify' });
      assert.equal(order.status, 'PICKUPCODE');
      assert.equal(order.tradeId, trade);
      assert.equal(order.amount, '3.50');
      assert.equal(order.pickupCodeId, code!.id);
      assert.deepEqual(order.records.map((r) => [r.productId, r.quantity, r.price, r.status, r.notifySent]), [[productId, 1, '3.50', '未取货', false]]);
      assert.match(formatWallTime(order.date!.getTime() / 1000), /^\d{4}-\d{2}-\d{2} 00:00:00$/, 'date is the first instant of the order’s day (the wire carries the day only)');
      const cancel = await rejectsWith(client.cancelPickupCode(machineNo, code!.id), ErrorCode.PICKUP_CODE_USED);
      assert.deepEqual(cancel.data, { order_id: order.orderId });
      const again = await rejectsWith(
        client.consumePickupCode(machineNo, { code: code!.code, productId, tradeId: tradeId(), notifyUrl: 'https://merchant.example/notify' }),
        ErrorCode.PICKUP_CODE_USED,
      );
      assert.equal(again.data.order_id, order.orderId);
      const used = await client.queryPickupCodes(machineNo, { productId, status: 'USED' });
      assert.equal(used.data.find((c) => c.id === code!.id)?.orderId, order.orderId);
    });

    it('consumePickupCode of a code that does not exist is 80002', async () => {
      await rejectsWith(
        client.consumePickupCode(machineNo, { code: '123456', productId, tradeId: tradeId(), notifyUrl: 'https://merchant.example/notify' }),
        ErrorCode.RECORD_NOT_FOUND,
      );
    });

    it('cancelAllPickupCodes returns how many it cancelled; a second call is a new request and cancels 0', async () => {
      const machine = merchant.machines[1]!;
      const live = (await client.queryPickupCodes(machine.machine_no)).total;
      assert.ok(live > 0);
      assert.equal(await client.cancelAllPickupCodes(machine.machine_no), live);
      assert.equal(await client.cancelAllPickupCodes(machine.machine_no), 0);
      assert.equal((await client.queryPickupCodes(machine.machine_no)).total, 0);
    });

    it('cancelAllPickupCodes on a foreign machine is 30003', async () => {
      await rejectsWith(client.cancelAllPickupCodes(other.machines[0]!.machine_no), ErrorCode.MACHINE_NOT_FOUND);
    });
  });

  describe(`SDK times [${kind.name}]`, { skip: kind.skip }, () => {
    let server: TestServer;
    let merchant: MerchantFixture;
    before(async () => {
      server = await startTestServer(kind, { timeZone: 'America/New_York' });
      merchant = await seedMerchant(server.store);
    });
    after(() => server.close());

    it('with the timeZone option matching the server’s platform zone, instants survive the round trip', async () => {
      const client = clientFor(server.url, merchant, { timeZone: 'America/New_York' });
      const expiredAt = inOneDay();
      const machine = merchant.machines[0]!;
      const [code] = await client.createPickupCodes(machine.machine_no, { productId: machine.productIds[0]!, expiredAt });
      assert.equal(code!.expiredAt?.getTime(), expiredAt.getTime());
      assert.equal(client.wallTime(expiredAt), formatWallTime(expiredAt.getTime() / 1000, 'America/New_York'));
    });
  });
}
