/**
 * The console's Open API extensions on the wire: the fleet at a glance
 * (POST /machines/overview), live codes per product (POST /pickup_codes/live_counts), a
 * code's life (POST /pickup_codes/history) and search by code in POST /pickup_codes/query.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { formatWallTime, nowSeconds } from '../../src/protocol/time.js';
import { createMerchant, setMachine } from '../../src/service/admin.js';
import { asMerchant, seedMerchant, startTestServer, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { BY_TEST, storeKinds } from '../helpers/stores.js';
import { tradeId } from '../helpers/client.js';

for (const kind of storeKinds()) {
  describe(`console extensions of the Open API [${kind.name}]`, { skip: kind.skip }, () => {
    let server: TestServer;
    let now = nowSeconds();
    let merchant: MerchantFixture;
    let other: MerchantFixture;
    let api: ReturnType<typeof asMerchant>;
    let nonce = 0;

    before(async () => {
      // The server's clock is the test's, so codes can expire without waiting.
      server = await startTestServer(kind, { clock: () => now, timestampWindowSeconds: 0 });
      merchant = await seedMerchant(server.store, { machines: 2, products: 2, capacity: 50 });
      other = await seedMerchant(server.store);
      api = asMerchant(server.url, merchant);
    });
    after(() => server.close());

    const machine = (index = 0) => merchant.machines[index]!;
    const send = (path: string, fields: Record<string, string>, method: 'POST' | 'PUT' = 'POST') => api(path, { ...fields, nonce: String(++nonce) }, method);
    const ok = async (path: string, fields: Record<string, string>, method: 'POST' | 'PUT' = 'POST') => {
      const answer = await send(path, fields, method);
      assert.equal(answer.body.code, 0, JSON.stringify(answer.body));
      return answer;
    };
    const create = async (count: number, extra: Record<string, string> = {}, at = machine()) => {
      const fields = { machine_no: at.machine_no, method: 'pickup_code.product.id', product_id: String(at.productIds[0]), count: String(count), ...extra };
      return (await ok('/pickup_codes', fields)).body.data.codes as Array<{ id: number; code: string }>;
    };
    const history = (id: number, machineNo = machine().machine_no) => send('/pickup_codes/history', { machine_no: machineNo, id: String(id) });

    it('machines/overview lists every machine with its switches, link state and live code count', async () => {
      await create(3);
      await setMachine(server.store, machine(1).machine_no, { pickupCodes: false, operating: false });
      const seenAt = now - 30;
      await server.store.write(BY_TEST, ({ trx }) => trx.updateTable('machines').set({ is_online: 1, last_seen_at: seenAt }).where('machine_no', '=', machine(0).machine_no).execute());

      const answer = await ok('/machines/overview', {});
      assert.deepEqual(
        answer.body.data.map((m: Record<string, unknown>) => [m.machine_no, m.is_online, m.status, m.pickup_codes_enabled, m.last_seen_at, m.live_codes]),
        [
          [machine(0).machine_no, true, true, true, formatWallTime(seenAt), 3],
          // Zero values are left out, as in every answer: offline, not operating, switched off, no live code.
          [machine(1).machine_no, undefined, undefined, undefined, undefined, undefined],
        ],
      );
      const one = await ok('/machines/overview', { machine_no: machine(1).machine_no });
      assert.equal(one.body.data.length, 1);
      assert.equal(one.body.data[0].machine_no, machine(1).machine_no);
    });

    it("machines/overview answers 30003 for another merchant's machine and [] for a merchant without machines", async () => {
      const foreign = await send('/machines/overview', { machine_no: other.machines[0]!.machine_no });
      assert.equal(foreign.body.code, 30003);
      const empty = await createMerchant(server.store, { name: 'No machines yet' });
      const answer = await asMerchant(server.url, empty)('/machines/overview', { nonce: String(++nonce) });
      assert.deepEqual(answer.body, { code: 0, message: 'ok', data: [] });
    });

    it('live_counts counts only UNUSED unexpired codes, per product of the machine (none: the count is left out)', async () => {
      const at = machine(1);
      await setMachine(server.store, at.machine_no, { pickupCodes: true, operating: true });
      const codes = await create(4, {}, at);
      await create(1, { expired_at: formatWallTime(now + 60) }, at);
      await ok('/pickup_codes', { machine_no: at.machine_no, method: 'pickup_code.delete.id', id: String(codes[0]!.id) }, 'PUT');
      now += 120; // the fifth code expires
      try {
        const answer = await ok('/pickup_codes/live_counts', { machine_no: at.machine_no });
        assert.deepEqual(answer.body.data, [
          { product_id: at.productIds[0], live_codes: 3 },
          { product_id: at.productIds[1] },
        ]);
      } finally {
        now -= 120;
      }
    });

    it('a code is live up to the second before its expiry and expired at that second, in every SQL form of "live"', async () => {
      const at = machine(1);
      await setMachine(server.store, at.machine_no, { pickupCodes: true, operating: true });
      await ok('/pickup_codes', { machine_no: at.machine_no, method: 'pickup_code.delete.all' }, 'PUT');
      const [expiring] = await create(1, { expired_at: formatWallTime(now + 60) }, at);
      const seen = async () => {
        const counts = (await ok('/pickup_codes/live_counts', { machine_no: at.machine_no })).body.data as Array<{ product_id: number; live_codes?: number }>;
        // An empty page leaves its list out, as every answer leaves out empty values.
        const unused = ((await ok('/pickup_codes/query', { machine_no: at.machine_no, status: 'UNUSED' })).body.data.data ?? []) as Array<{ id: number }>;
        const expired = ((await ok('/pickup_codes/query', { machine_no: at.machine_no, status: 'EXPIRED' })).body.data.data ?? []) as Array<{ id: number }>;
        return { live: counts.find((c) => c.product_id === at.productIds[0])?.live_codes ?? 0, unused: unused.map((c) => c.id), expired: expired.map((c) => c.id) };
      };
      const start = now;
      try {
        now = start + 59;
        assert.deepEqual(await seen(), { live: 1, unused: [expiring!.id], expired: [] }, 'one second before its expiry');
        now = start + 60;
        assert.deepEqual(await seen(), { live: 0, unused: [], expired: [expiring!.id] }, 'at its expiry second');
      } finally {
        now = start;
      }
    });

    it('history tells a cancelled code’s life: created and cancelled by the merchant, with the request ids, and the pushes queued for the machine', async () => {
      const created = await send('/pickup_codes', { machine_no: machine().machine_no, method: 'pickup_code.product.id', product_id: String(machine().productIds[0]) });
      const [code] = created.body.data.codes as Array<{ id: number; code: string }>;
      const cancelled = await send('/pickup_codes', { machine_no: machine().machine_no, method: 'pickup_code.delete.id', id: String(code!.id) }, 'PUT');

      const answer = await history(code!.id);
      assert.equal(answer.body.code, 0);
      const { code: view, events, pushes, order } = answer.body.data;
      assert.equal(view.code, code!.code);
      assert.equal(view.status, 'CANCELLED');
      assert.deepEqual(events, [
        { at: formatWallTime(now), action: 'create', to_status: 'UNUSED', actor: `merchant:${merchant.merchant_id}`, request_id: created.headers['x-request-id'] },
        {
          at: formatWallTime(now),
          action: 'cancel',
          from_status: 'UNUSED',
          to_status: 'CANCELLED',
          actor: `merchant:${merchant.merchant_id}`,
          request_id: cancelled.headers['x-request-id'],
        },
      ]);
      // No machine link in this server: the pushes wait in the outbox, not sent.
      assert.deepEqual(pushes, [
        { method: 'client.pickup_codes.create', queued_at: formatWallTime(now) },
        { method: 'client.pickup_codes.delete', queued_at: formatWallTime(now) },
      ]);
      assert.equal(order, undefined);
    });

    it('history of a consumed code shows the consume and its order', async () => {
      const [code] = await create(1);
      const trade = tradeId();
      const fields = { method: 'event.consume.pickup_code', code: code!.code, product_id: String(machine().productIds[0]), trade_id: trade, notify_url: 'https://example.com/n' };
      const consumed = await ok('/consumes', { machine_no: machine().machine_no, ...fields });
      const { code: view, events, order } = (await history(code!.id)).body.data;
      assert.equal(view.status, 'USED');
      assert.equal(view.order_id, consumed.body.data.order_id);
      assert.deepEqual(
        events.map((e: { action: string }) => e.action),
        ['create', 'consume'],
      );
      assert.deepEqual(order, consumed.body.data);
      assert.equal(order.trade_id, trade);
    });

    it('history of a code cancelled in bulk names the push of that code, however many were cancelled with it', async () => {
      await ok('/pickup_codes', { machine_no: machine().machine_no, method: 'pickup_code.delete.all' }, 'PUT');
      now += 1;
      const codes = await create(21);
      now += 1;
      await ok('/pickup_codes', { machine_no: machine().machine_no, method: 'pickup_code.delete.all' }, 'PUT');
      const after = (await history(codes[0]!.id)).body.data;
      assert.deepEqual(after.events.map((e: { action: string; detail?: string }) => [e.action, e.detail]), [
        ['create', undefined],
        ['cancel', 'cancel all'],
      ]);
      assert.deepEqual(
        after.pushes.map((p: { method: string; queued_at: string }) => [p.method, p.queued_at]),
        [
          ['client.pickup_codes.create', formatWallTime(now - 1)],
          ['client.pickup_codes.delete', formatWallTime(now)],
        ],
      );
    });

    it("history refuses another machine's code (80002), another merchant's machine (30003) and a bad id (10001)", async () => {
      const [code] = await create(1);
      assert.equal((await history(code!.id, machine(1).machine_no)).body.code, 80002);
      assert.equal((await history(code!.id, other.machines[0]!.machine_no)).body.code, 30003);
      const bad = await send('/pickup_codes/history', { machine_no: machine().machine_no, id: 'abc' });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.code, 10001);
      assert.match(bad.body.message, /id/);
    });

    it('pickup_codes/query with `code` finds the codes starting with those digits; letters are 10001', async () => {
      const codes = await create(5, { code_length: '10' });
      const wanted = codes[2]!;
      const exact = await ok('/pickup_codes/query', { machine_no: machine().machine_no, code: wanted.code, status: 'ALL' });
      assert.deepEqual(
        exact.body.data.data.map((c: { id: number }) => c.id),
        [wanted.id],
      );
      const prefix = wanted.code.slice(0, 3);
      const byPrefix = await ok('/pickup_codes/query', { machine_no: machine().machine_no, code: prefix, status: 'ALL', per_page: '100' });
      assert.ok(byPrefix.body.data.data.length >= 1);
      assert.ok(byPrefix.body.data.data.every((c: { code: string }) => c.code.startsWith(prefix)));
      const bad = await send('/pickup_codes/query', { machine_no: machine().machine_no, code: '12%' });
      assert.equal(bad.body.code, 10001);
    });

    it('the extensions are signed: a wrong sign is 10002 and a GET is 405', async () => {
      const unsigned = await api('/machines/overview', undefined);
      assert.equal(unsigned.body.code, 400);
      const wrongKey = await asMerchant(server.url, { ...merchant, merchant_id: merchant.merchant_id + 999 })('/pickup_codes/live_counts', { machine_no: machine().machine_no });
      assert.equal(wrongKey.body.code, 10002);
      const { request } = await import('undici');
      const get = await request(`${server.url}/api/openapi/v1/pickup_codes/history`, { method: 'GET' });
      assert.equal(get.statusCode, 405);
      await get.body.dump();
    });
  });
}
