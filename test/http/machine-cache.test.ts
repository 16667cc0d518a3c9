/**
 * The merchant's machines from memory (issue 23): a request on a machine its server has
 * found before runs no statement to find it again, read or write; an operator's change of
 * the machine reaches a running server within the second of its poll; a machine is cached
 * for its merchant alone, and a number that finds nothing is not cached at all.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { nowSeconds } from '../../src/protocol/time.js';
import { createMachine, createProduct, setMachine } from '../../src/service/admin.js';
import * as machines from '../../src/store/repositories/machines.repository.js';
import { json, vendcloud } from '../helpers/cli.js';
import { tradeId } from '../helpers/client.js';
import { eventually } from '../helpers/link.js';
import { asMerchant, seedMerchant, startTestServer, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { watchStatements } from '../helpers/statements.js';
import { BY_TEST, storeKinds } from '../helpers/stores.js';

/** The operator's command on the test server's database, in a process of its own. */
function operator(server: TestServer, args: string[]) {
  const schema = server.location.options.pgSchema;
  return vendcloud([...args, '--db', server.location.db, '--json'], schema ? { VENDCLOUD_DB_SCHEMA: schema } : {});
}

for (const kind of storeKinds()) {
  describe(`the merchant's machines from memory [${kind.name}]`, { skip: kind.skip }, () => {
    let server: TestServer;
    let merchant: MerchantFixture;
    let other: MerchantFixture;

    before(async () => {
      // Longer than any test: only the poll of the operator's changes can drop an entry.
      server = await startTestServer(kind, { merchantCacheSeconds: 300, wrongCodesPerMachine: 0 });
      merchant = await seedMerchant(server.store);
      other = await seedMerchant(server.store);
    });
    after(() => server.close());

    const productsOf = (fixture: MerchantFixture, machineNo: string) => asMerchant(server.url, fixture)('/products', { machine_no: machineNo });
    const createCode = (fixture: MerchantFixture, machineNo: string, productId: number) =>
      asMerchant(server.url, fixture)('/pickup_codes', { machine_no: machineNo, method: 'pickup_code.product.id', product_id: String(productId) });

    it('finds a machine with one statement, then answers reads and writes on it with none', async () => {
      const machine = merchant.machines[0]!;
      const watch = watchStatements();
      try {
        assert.equal((await productsOf(merchant, machine.machine_no)).body.code, 0);
        assert.equal(watch.on('machines', machine.machine_no).length, 1, 'the first request looks the machine up');
        watch.sent.length = 0;
        assert.equal((await productsOf(merchant, machine.machine_no)).body.code, 0);
        assert.equal((await createCode(merchant, machine.machine_no, machine.productIds[0]!)).body.code, 0);
        assert.deepEqual(watch.on('machines', machine.machine_no), [], 'no statement on the machines table names it');
        assert.ok(watch.sent.length > 0, 'the requests did run their own statements');
      } finally {
        watch.stop();
      }
    });

    it('refuses a machine within a second of `machine set --pickup-codes off`, and serves it again after `on`', async () => {
      const machine = merchant.machines[0]!;
      const create = () => createCode(merchant, machine.machine_no, machine.productIds[1]!);
      assert.equal((await create()).body.code, 0, 'the machine is cached now');
      const set = (value: 'on' | 'off') => operator(server, ['machine', 'set', '--machine-no', machine.machine_no, '--pickup-codes', value]);
      assert.deepEqual(json(await set('off')), { machine_no: machine.machine_no, ok: true });
      await eventually(async () => (await create()).body.code === 10023, 'the pickup-code feature is off', 3000);
      assert.equal(json(await set('on')).ok, true);
      await eventually(async () => (await create()).body.code === 0, 'the pickup-code feature is on again', 3000);
    });

    it('refuses a consume within a second of the operator stopping the machine', async () => {
      const machine = merchant.machines[0]!;
      const created = await createCode(merchant, machine.machine_no, machine.productIds[0]!);
      // The code asked for another product: refused (80002) while the machine operates, so a
      // request that still sees it operating changes nothing.
      const consume = () =>
        asMerchant(server.url, merchant)('/consumes', {
          machine_no: machine.machine_no,
          method: 'event.consume.pickup_code',
          code: String(created.body.data.codes[0].code),
          product_id: String(machine.productIds[1]!),
          trade_id: tradeId(),
          notify_url: 'https://merchant.example/notify',
        });
      assert.equal((await consume()).body.code, 80002);
      await setMachine(server.store, machine.machine_no, { operating: false });
      try {
        await eventually(async () => (await consume()).body.code === 30004, 'the stopped machine is refused', 3000);
      } finally {
        await setMachine(server.store, machine.machine_no, { operating: true });
      }
    });

    it("answers 30003 for another merchant's machine although its owner's requests cached it", async () => {
      const machine = merchant.machines[0]!;
      assert.equal((await productsOf(merchant, machine.machine_no)).body.code, 0);
      const foreign = await productsOf(other, machine.machine_no);
      assert.deepEqual(foreign.body, { code: 30003, message: '设备不存在', data: {} });
      assert.equal((await createCode(other, machine.machine_no, machine.productIds[0]!)).body.code, 30003);
    });

    it("stamps the operator's changes of a machine, never its presence", async () => {
      const machine = merchant.machines[0]!;
      const stamp = async () => (await server.store.db.selectFrom('machines').select('changed_at').where('machine_no', '=', machine.machine_no).executeTakeFirstOrThrow()).changed_at;
      await server.store.write(BY_TEST, ({ trx }) => machines.update(trx, machine.machine_no, { link_mode: 'auto' }, 17));
      await server.store.write(BY_TEST, async ({ trx }) => {
        await machines.markSeen(trx, machine.machine_id, nowSeconds());
        await machines.switchOnline(trx, machine.machine_id, 0);
        await machines.markSilentOffline(trx, nowSeconds());
      });
      assert.equal(await stamp(), 17, 'presence left the stamp as it was');
      await setMachine(server.store, machine.machine_no, { pickupCodes: true });
      assert.ok(Number(await stamp()) >= nowSeconds() - 1, 'the operator stamped it');
    });

    it('does not cache a number that finds nothing: the machine created under it is found at once', async () => {
      const machineNo = String(90_000_000 + process.pid);
      const watch = watchStatements();
      try {
        assert.equal((await productsOf(merchant, machineNo)).body.code, 30003);
        assert.equal((await productsOf(merchant, machineNo)).body.code, 30003);
        assert.equal(watch.on('machines', machineNo).length, 2, 'each request looked it up');
      } finally {
        watch.stop();
      }
      await createMachine(server.store, { merchantId: merchant.merchant_id, machineNo, pickupCodes: true });
      await createProduct(server.store, { machineNo, name: 'Water', price: '1.00', capacity: 5, inventory: 5 });
      assert.equal((await productsOf(merchant, machineNo)).body.code, 0);
    });
  });
}
