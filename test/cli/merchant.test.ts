/**
 * The merchant commands of `vendcloud`, run as a process against the real server:
 * --json output, and the exit codes 0 ok, 1 API error, 2 usage error, 3 network error.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import type { VendcloudClient } from '../../src/client/index.js';
import { formatWallTime } from '../../src/protocol/time.js';
import { clientFor, tradeId } from '../helpers/client.js';
import { json, merchantEnv, vendcloud } from '../helpers/cli.js';
import { closedPort, seedMerchant, startTestServer, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';


for (const kind of storeKinds()) {
  describe(`vendcloud merchant commands [${kind.name}]`, { skip: kind.skip }, () => {
    let server: TestServer;
    let merchant: MerchantFixture;
    let env: Record<string, string>;
    let sdk: VendcloudClient;
    let machineNo: string;
    let productId: number;
    before(async () => {
      server = await startTestServer(kind);
      merchant = await seedMerchant(server.store, { machines: 2, capacity: 10, inventory: 3 });
      env = merchantEnv(server.url, merchant);
      sdk = clientFor(server.url, merchant);
      machineNo = merchant.machines[0]!.machine_no;
      productId = merchant.machines[0]!.productIds[0]!;
    });
    after(() => server.close());

    it('ping, machines and products print one JSON line each and exit 0', async () => {
      const [ping, machines, products] = await Promise.all([
        vendcloud(['ping', '--json'], env),
        vendcloud(['machines', '--json'], env),
        vendcloud(['products', '--machine-no', machineNo, '--json'], env),
      ]);
      assert.equal(ping.code, 0, ping.stderr);
      assert.deepEqual(json(ping), { data: 'pong', signature: 'ok' });
      assert.equal(machines.code, 0, machines.stderr);
      assert.deepEqual(json(machines).map((m: { machineNo: string }) => m.machineNo), merchant.machines.map((m) => m.machine_no));
      assert.equal(products.code, 0, products.stderr);
      assert.deepEqual(json(products).data.map((p: { id: number }) => p.id), merchant.machines[0]!.productIds);
    });

    it('order get shows a consumed order; delivery put on an offline machine exits 1 with 30002; delivery get of nothing exits 1 with 80002', async () => {
      const [code] = await sdk.createPickupCodes(machineNo, { productId });
      const order = await sdk.consumePickupCode(machineNo, { code: code!.code, productId, tradeId: tradeId(), notifyUrl: 'https://merchant.example/n' });
      const got = await vendcloud(['order', 'get', '--machine-no', machineNo, '--order', String(order.orderId), '--json'], env);
      assert.equal(got.code, 0, got.stderr);
      assert.deepEqual(json(got).records.map((r: { id: number; status: string }) => [r.id, r.status]), [[order.records[0]!.id, "WAITING_PICKED_UP"]]);
      const put = await vendcloud(['delivery', 'put', '--machine-no', machineNo, '--order', String(order.orderId), '--record', String(order.records[0]!.id), '--json'], env);
      assert.equal(put.code, 1);
      assert.equal(json(put).error.code, 30002);
      const state = await vendcloud(['delivery', 'get', '--machine-no', machineNo, '--delivery', '99999999', '--json'], env);
      assert.equal(state.code, 1);
      assert.equal(json(state).error.code, 80002);
    });

    it('ping makes a signed call too, so a wrong merchant id (the signing key) is caught and named, exit 1', async () => {
      const wrongKey = await vendcloud(['ping'], { ...env, VENDCLOUD_MERCHANT_ID: String(merchant.merchant_id + 1000) });
      assert.equal(wrongKey.code, 1, wrongKey.stdout);
      assert.match(wrongKey.stderr, /10002 sign is invalid/);
      assert.match(wrongKey.stderr, new RegExp(`signing key is the merchant id, and ${merchant.merchant_id + 1000} is not this Appid's`));
      const right = await vendcloud(['ping'], env);
      assert.equal(right.code, 0, right.stderr);
      assert.match(right.stdout, new RegExp(`^pong .*merchant id ${merchant.merchant_id} was accepted`));
    });

    it('credentials given as flags work as well as the environment', async () => {
      const result = await vendcloud(['ping', '--json', '--url', server.url, '--appid', merchant.appid, '--app-secret', merchant.app_secret, '--merchant-id', String(merchant.merchant_id)]);
      assert.equal(result.code, 0, result.stderr);
    });

    it('codes create makes --count codes of --length digits expiring at --expires (platform time)', async () => {
      const expires = formatWallTime(Math.floor(Date.now() / 1000) + 86_400);
      const result = await vendcloud(['codes', 'create', '--machine-no', machineNo, '--product', String(productId), '--count', '3', '--length', '8', '--expires', expires, '--json'], env);
      assert.equal(result.code, 0, result.stderr);
      const codes = json(result);
      assert.equal(codes.length, 3);
      for (const code of codes) {
        assert.match(code.code, /^[0-9]{8}$/);
        assert.equal(formatWallTime(Date.parse(code.expiredAt) / 1000), expires);
      }
    });

    it('codes list: --product alone is the original per-product query; --status uses the machine-wide query', async () => {
      const [created] = await sdk.createPickupCodes(machineNo, { productId });
      const perProduct = await vendcloud(['codes', 'list', '--machine-no', machineNo, '--product', String(productId), '--json'], env);
      assert.equal(perProduct.code, 0, perProduct.stderr);
      assert.ok(Array.isArray(json(perProduct)));
      assert.ok(json(perProduct).some((c: { id: number }) => c.id === created!.id));
      const all = await vendcloud(['codes', 'list', '--machine-no', machineNo, '--status', 'ALL', '--per-page', '100', '--json'], env);
      assert.equal(all.code, 0, all.stderr);
      assert.equal(json(all).total, (await sdk.queryPickupCodes(machineNo, { status: 'ALL' })).total);
      const lowerCase = await vendcloud(['codes', 'list', '--machine-no', machineNo, '--status', 'unused', '--per-page', '100', '--json'], env);
      assert.equal(lowerCase.code, 0, lowerCase.stderr);
      assert.equal(json(lowerCase).total, (await sdk.queryPickupCodes(machineNo, { status: 'UNUSED' })).total, '--status in lower case is the same filter');
    });

    it('codes list prints a table by default', async () => {
      const [created] = await sdk.createPickupCodes(machineNo, { productId });
      const result = await vendcloud(['codes', 'list', '--machine-no', machineNo, '--product', String(productId)], env);
      assert.equal(result.code, 0, result.stderr);
      const [header, ...rows] = result.stdout.trim().split('\n');
      assert.match(header!, /^ID\s+PRODUCT\s+CODE\s+STATUS\s+CREATED \(Asia\/Shanghai\)\s+EXPIRES \(Asia\/Shanghai\)$/);
      assert.ok(rows.some((row) => row.split(/\s+/).slice(0, 4).join(' ') === `${created!.id} ${productId} ${created!.code} UNUSED`));
    });

    it('codes cancel cancels once; cancelling again exits 1 showing 80002 and its text', async () => {
      const [code] = await sdk.createPickupCodes(machineNo, { productId });
      const first = await vendcloud(['codes', 'cancel', '--machine-no', machineNo, '--id', String(code!.id), '--json'], env);
      assert.equal(first.code, 0, first.stderr);
      assert.deepEqual(json(first), { cancelled: code!.id });
      const again = await vendcloud(['codes', 'cancel', '--machine-no', machineNo, '--id', String(code!.id), '--json'], env);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /80002 查不到对应记录/);
      assert.equal(json(again).error.code, 80002);
    });

    it('codes cancel-all refuses without --yes when stdin is not a terminal (exit 2, nothing cancelled)', async () => {
      const machine = merchant.machines[1]!;
      await sdk.createPickupCodes(machine.machine_no, { productId: machine.productIds[0]!, count: 2 });
      const refused = await vendcloud(['codes', 'cancel-all', '--machine-no', machine.machine_no], env);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /--yes/);
      assert.equal((await sdk.queryPickupCodes(machine.machine_no)).total, 2);
      const done = await vendcloud(['codes', 'cancel-all', '--machine-no', machine.machine_no, '--yes', '--json'], env);
      assert.equal(done.code, 0, done.stderr);
      assert.deepEqual(json(done), { count: 2 });
      assert.equal((await sdk.queryPickupCodes(machine.machine_no)).total, 0);
    });

    it('codes create-all tops every product up to its stock', async () => {
      const machine = merchant.machines[1]!;
      await sdk.cancelAllPickupCodes(machine.machine_no);
      const result = await vendcloud(['codes', 'create-all', '--machine-no', machine.machine_no, '--json'], env);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(json(result).length, 6, 'two products with 3 items each');
    });

    it('codes consume makes a PICKUPCODE order; consuming again exits 1 with 10025 naming the order', async () => {
      const [code] = await sdk.createPickupCodes(machineNo, { productId });
      const args = ['codes', 'consume', '--machine-no', machineNo, '--product', String(productId), '--code', code!.code, '--notify-url', 'https://merchant.example/n', '--json'];
      const consumed = await vendcloud([...args, '--trade-id', tradeId()], env);
      assert.equal(consumed.code, 0, consumed.stderr);
      const order = json(consumed);
      assert.equal(order.status, 'PICKUPCODE');
      assert.equal(order.pickupCodeId, code!.id);
      const again = await vendcloud([...args, '--trade-id', tradeId()], env);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /10025 取货码已使用 \{"order_id":\d+\}/);
      assert.deepEqual(json(again).error.data, { order_id: order.orderId });
    });

    it('an API error exits 1 with the code, the platform message and an English explanation: a foreign machine is 30003, a wrong secret 10013', async () => {
      const other = await seedMerchant(server.store);
      const foreign = await vendcloud(['products', '--machine-no', other.machines[0]!.machine_no], env);
      assert.equal(foreign.code, 1);
      assert.match(foreign.stderr, /API error 30003 设备不存在/);
      assert.match(foreign.stderr, /what happened: No machine with this machine_no belongs to this merchant/);
      assert.match(foreign.stderr, /what to do: Check machine_no/);
      const wrongSecret = await vendcloud(['ping'], { ...env, VENDCLOUD_APPSECRET: 'not-the-secret' });
      assert.equal(wrongSecret.code, 1);
      assert.match(wrongSecret.stderr, /10013 app secret is invalid \(HTTP 401/);
    });

    it('bad usage exits 2: missing option, unknown status, malformed --expires, missing credentials', async () => {
      const results = await Promise.all([
        vendcloud(['codes', 'create', '--product', String(productId)], env),
        vendcloud(['codes', 'list', '--machine-no', machineNo, '--status', 'LOST'], env),
        vendcloud(['codes', 'create', '--machine-no', machineNo, '--product', String(productId), '--expires', 'tomorrow'], env),
        vendcloud(['ping'], { ...env, VENDCLOUD_URL: '' }),
        vendcloud(['codes', 'frobnicate'], env),
      ]);
      for (const result of results) {
        assert.equal(result.code, 2, result.stderr);
        assert.equal(result.stdout, '');
        assert.match(result.stderr, /^vendcloud: .+\n$/);
      }
      assert.match(results[3]!.stderr, /VENDCLOUD_URL/);
    });

    it('an unreachable server exits 3', async () => {
      const result = await vendcloud(['ping'], { ...env, VENDCLOUD_URL: `http://127.0.0.1:${await closedPort()}` });
      assert.equal(result.code, 3);
      assert.match(result.stderr, /network error: .*ECONNREFUSED/);
    });
  });
}
