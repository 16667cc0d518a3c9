/**
 * PUT /pickup_codes (the seed page, PROTOCOL.md §6.7): cancelling one code or all codes of
 * a machine. A merchant must always be able to revoke codes, and a revoked code is gone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { formatWallTime, nowSeconds } from '../../src/protocol/time.js';
import { setMachine } from '../../src/service/admin.js';
import { encodeBase64Text } from '../../src/protocol/payload.js';
import { computeSign } from '../../src/protocol/signature.js';
import { asMerchant, call, seedMerchant, startTestServer, writtenRows, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

for (const kind of storeKinds()) {
  describe(`cancelling pickup codes [${kind.name}]`, { skip: kind.skip }, () => {
    let server: TestServer;
    let now = nowSeconds();
    let merchant: MerchantFixture;
    let api: ReturnType<typeof asMerchant>;
    let machineNo: string;
    let productId: number;
    let nonce = 0;

    before(async () => {
      // The server's clock is the test's, so codes can expire without waiting.
      server = await startTestServer(kind, { clock: () => now, timestampWindowSeconds: 0 });
      merchant = await seedMerchant(server.store, { machines: 2, capacity: 50 });
      api = asMerchant(server.url, merchant);
      machineNo = merchant.machines[0]!.machine_no;
      productId = merchant.machines[0]!.productIds[0]!;
    });
    after(() => server.close());

    // Every call carries a fresh nonce: these are distinct requests, not retries.
    const create = async (count = 1, extra: Record<string, string> = {}, machine = merchant.machines[0]!) => {
      const answer = await api('/pickup_codes', {
        machine_no: machine.machine_no,
        method: 'pickup_code.product.id',
        product_id: String(machine.productIds[0]),
        count: String(count),
        nonce: String(++nonce),
        ...extra,
      });
      assert.equal(answer.body.code, 0, JSON.stringify(answer.body));
      return answer.body.data.codes as Array<{ id: number; code: string }>;
    };
    const cancelOne = (id: number | string, machine = machineNo) =>
      api('/pickup_codes', { machine_no: machine, method: 'pickup_code.delete.id', id: String(id), nonce: String(++nonce) }, 'PUT');
    const cancelAll = (machine = machineNo) => api('/pickup_codes', { machine_no: machine, method: 'pickup_code.delete.all', nonce: String(++nonce) }, 'PUT');
    const liveIds = async () => {
      const answer = await api(`/products/${productId}/pickup_code`, { machine_no: machineNo, nonce: String(++nonce) });
      return (answer.body.data as Array<{ id: number }>).map((c) => c.id);
    };
    const consume = (code: string, machine = merchant.machines[0]!) =>
      api('/consumes', {
        machine_no: machine.machine_no,
        method: 'event.consume.pickup_code',
        code,
        product_id: String(machine.productIds[0]),
        trade_id: `T${Date.now()}${++nonce}`.padEnd(24, '0'),
        notify_url: 'https://merchant.example/notify',
      });

    it('cancels one code: answers {} and the code is gone from the query', async () => {
      const [code] = await create();
      assert.ok((await liveIds()).includes(code!.id));
      const answer = await cancelOne(code!.id);
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, { code: 0, message: 'ok', data: {} });
      assert.ok(!(await liveIds()).includes(code!.id));
    });

    it('keeps the cancelled row as history: soft delete with when, who and the request id', async () => {
      const [code] = await create();
      const answer = await cancelOne(code!.id);
      const row = await server.store.db.selectFrom('pickup_codes').selectAll().where('id', '=', code!.id).executeTakeFirstOrThrow();
      assert.equal(row.status, 'CANCELLED');
      assert.equal(row.cancelled_at, now);
      assert.equal(row.cancelled_by, `merchant:${merchant.merchant_id}`);
      assert.equal(row.cancel_request_id, answer.headers['x-request-id']);
      const history = await server.store.db.selectFrom('code_history').selectAll().where('pickup_code_id', '=', code!.id).orderBy('id').execute();
      assert.deepEqual(
        history.map((h) => [h.action, h.from_status, h.to_status]),
        [
          ['create', null, 'UNUSED'],
          ['cancel', 'UNUSED', 'CANCELLED'],
        ],
      );
      const push = await server.store.db.selectFrom('outbox').select('body').where('method', '=', 'client.pickup_codes.delete').orderBy('id', 'desc').executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(push.body), { id: String(code!.id) });
    });

    it('answers 80002 for an unknown id, an already cancelled code, and another machine’s code', async () => {
      const [code] = await create();
      await cancelOne(code!.id);
      const [otherMachinesCode] = await create(1, {}, merchant.machines[1]!);
      for (const id of [code!.id, 987654321, otherMachinesCode!.id]) {
        const answer = await cancelOne(id);
        assert.deepEqual(answer.body, { code: 80002, message: '查不到对应记录', data: {} });
        assert.equal(answer.status, 200);
      }
      assert.equal((await cancelOne(otherMachinesCode!.id, merchant.machines[1]!.machine_no)).body.code, 0, 'its own machine can cancel it');
    });

    it('answers 10025 with the order id for a used code, and leaves it USED', async () => {
      const [code] = await create();
      const consumed = await consume(code!.code);
      assert.equal(consumed.body.code, 0, JSON.stringify(consumed.body));
      const answer = await cancelOne(code!.id);
      assert.deepEqual(answer.body, { code: 10025, message: '取货码已使用', data: { order_id: consumed.body.data.order_id } });
      const row = await server.store.db.selectFrom('pickup_codes').select('status').where('id', '=', code!.id).executeTakeFirstOrThrow();
      assert.equal(row.status, 'USED');
    });

    it('cancels a code that expired unused', async () => {
      const [code] = await create(1, { expired_at: formatWallTime(now + 60) });
      now += 120;
      assert.equal((await cancelOne(code!.id)).body.code, 0);
    });

    it('a cancelled code can never be consumed', async () => {
      const [code] = await create();
      await cancelOne(code!.id);
      const answer = await consume(code!.code);
      assert.equal(answer.body.code, 80002);
    });

    it('cancels whatever the feature switch says and whether the machine is online', async () => {
      const [code] = await create();
      await setMachine(server.store, machineNo, { pickupCodes: false, operating: false });
      try {
        const machine = await server.store.db.selectFrom('machines').select('is_online').where('machine_no', '=', machineNo).executeTakeFirstOrThrow();
        assert.equal(machine.is_online, 0);
        assert.equal((await cancelOne(code!.id)).body.code, 0);
        assert.equal((await cancelAll()).body.code, 0);
      } finally {
        await setMachine(server.store, machineNo, { pickupCodes: true, operating: true });
      }
    });

    it('refuses a missing or malformed id with 10001 and cancels nothing', async () => {
      await create(2);
      const before = await writtenRows(server.store);
      for (const id of [undefined, '', 'abc', '0', '-3', '1.5', '1 OR 1=1', '99999999999999999999']) {
        const fields: Record<string, string> = { machine_no: machineNo, method: 'pickup_code.delete.id', nonce: String(++nonce) };
        if (id !== undefined) fields.id = id;
        const answer = await api('/pickup_codes', fields, 'PUT');
        assert.equal(answer.body.code, 10001, `id ${id}`);
        assert.match(answer.body.message, /: id/);
      }
      assert.deepEqual(await writtenRows(server.store), before);
    });

    it('answers 10004 for a method the route does not take', async () => {
      const answer = await api('/pickup_codes', { machine_no: machineNo, method: 'pickup_code.delete.some', nonce: String(++nonce) }, 'PUT');
      assert.equal(answer.body.code, 10004);
    });

    it('answers 30003 for another merchant’s machine and cancels nothing there', async () => {
      const stranger = await seedMerchant(server.store);
      const strangerApi = asMerchant(server.url, stranger);
      const made = await strangerApi('/pickup_codes', {
        machine_no: stranger.machines[0]!.machine_no,
        method: 'pickup_code.product.id',
        product_id: String(stranger.machines[0]!.productIds[0]),
      });
      const answer = await cancelAll(stranger.machines[0]!.machine_no);
      assert.deepEqual(answer.body, { code: 30003, message: '设备不存在', data: {} });
      const one = await cancelOne(made.body.data.codes[0].id, stranger.machines[0]!.machine_no);
      assert.equal(one.body.code, 30003);
      const row = await server.store.db.selectFrom('pickup_codes').select('status').where('id', '=', made.body.data.codes[0].id).executeTakeFirstOrThrow();
      assert.equal(row.status, 'UNUSED');
    });

    it('cancels every UNUSED code of the machine, expired ones included, keeps USED ones, and counts them', async () => {
      await cancelAll();
      // What must stay is made both before and after what is cancelled, so no walk over a
      // range of ids can pass by keeping to the range.
      const usedCode = async () => {
        const [code] = await create(1);
        assert.equal((await consume(code!.code)).body.code, 0);
        return code!;
      };
      const usedFirst = await usedCode();
      const [otherFirst] = await create(1, {}, merchant.machines[1]!);
      const plain = await create(3);
      const expiring = await create(2, { expired_at: formatWallTime(now + 30) });
      const usedLast = await usedCode();
      const [otherLast] = await create(1, {}, merchant.machines[1]!);
      now += 60;
      const answer = await cancelAll();
      assert.deepEqual(answer.body, { code: 0, message: 'ok', data: { count: 5 } });
      const rows = await server.store.db
        .selectFrom('pickup_codes')
        .select(['id', 'status'])
        .where('id', 'in', [...plain, ...expiring, usedFirst, usedLast, otherFirst!, otherLast!].map((c) => c.id))
        .execute();
      const status = new Map(rows.map((r) => [r.id, r.status]));
      for (const code of [...plain, ...expiring]) assert.equal(status.get(code.id), 'CANCELLED');
      assert.deepEqual([status.get(usedFirst.id), status.get(usedLast.id)], ['USED', 'USED'], 'used codes stay used');
      assert.deepEqual([status.get(otherFirst!.id), status.get(otherLast!.id)], ['UNUSED', 'UNUSED'], 'another machine’s codes are untouched');
      const history = await server.store.db.selectFrom('code_history').select('pickup_code_id').where('action', '=', 'cancel').where('pickup_code_id', 'in', [...plain, ...expiring].map((c) => c.id)).execute();
      assert.equal(history.length, 5, 'one history row per cancelled code');
    });

    it('cancel-all twice is not an error: the second counts 0', async () => {
      await create(2);
      assert.equal((await cancelAll()).body.data.count, 2);
      // A count of 0 is a zero value: left out, protobuf style, as the docs' `data: {}`.
      assert.deepEqual((await cancelAll()).body, { code: 0, message: 'ok', data: {} });
    });

    it('cancel-all of many codes queues a delete of each, in id order (the dispatcher makes one sync of them for an extended machine)', async () => {
      await cancelAll();
      const made = await create(45);
      const before = await server.store.db.selectFrom('outbox').select((eb) => eb.fn.max('id').as('max')).executeTakeFirstOrThrow();
      assert.equal((await cancelAll()).body.data.count, 45);
      const pushes = await server.store.db.selectFrom('outbox').select(['method', 'body']).where('id', '>', Number(before.max)).orderBy('id').execute();
      assert.ok(pushes.every((p) => p.method === 'client.pickup_codes.delete'));
      assert.deepEqual(
        pushes.map((p) => Number((JSON.parse(p.body) as { id: string }).id)),
        made.map((c) => c.id).sort((a, b) => a - b),
      );
    });

    it('accepts the seed page’s exact request: PUT, {"payload": …} without Content-Type, the JSON inside laid out as in the docs', async () => {
      const [code] = await create();
      const fields = { machine_no: machineNo, method: 'pickup_code.delete.id', id: String(code!.id), timestamp: String(now) };
      const sign = computeSign(fields, String(merchant.merchant_id));
      const documented = `{\n\t"machine_no": "${machineNo}",\n    "method": "pickup_code.delete.id",\n    "id": "${code!.id}",\n\t"sign": "${sign}",\n\t"timestamp": "${now}"\n}`;
      const answer = await call(server.url, '/pickup_codes', {
        method: 'PUT',
        appid: merchant.appid,
        secret: merchant.app_secret,
        rawBody: `{"payload": "${encodeBase64Text(documented)}"}`,
      });
      assert.deepEqual(answer.body, { code: 0, message: 'ok', data: {} });
      assert.equal(answer.headers['content-type'], 'application/json; charset=utf-8');
    });
  });
}
