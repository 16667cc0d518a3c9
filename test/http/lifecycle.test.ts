/**
 * The lifecycle extensions (routes/lifecycle.ts, docs/console.md) on the wire: what each one
 * refuses, with the documented code and the field named, and that nothing is changed by a
 * refused webhook write. Their answers' shapes are checked by the server fixture.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { asMerchant, seedMerchant, startTestServer, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

for (const kind of storeKinds()) {
  describe(`the lifecycle extensions on the wire (${kind.name})`, { skip: kind.skip }, () => {
    let server: TestServer;
    let merchant: MerchantFixture;
    let api: ReturnType<typeof asMerchant>;
    let machine_no: string;
    before(async () => {
      server = await startTestServer(kind);
      merchant = await seedMerchant(server.store);
      api = asMerchant(server.url, merchant);
      machine_no = merchant.machines[0]!.machine_no;
    });
    after(async () => server?.close());

    const refusal = (answer: { body: { code: number; message: string } }) => [answer.body.code, answer.body.message];

    it('a day that is not a real calendar day, or none, is 10001 naming date; another merchant’s machine is 30003 like a missing one', async () => {
      for (const date of ['2024-02-30', '2024-13-01']) {
        const answer = await api('/orders/query', { machine_no, date });
        assert.equal(answer.body.code, ErrorCode.FIELD_INVALID);
        assert.match(answer.body.message, /date/);
      }
      assert.equal((await api('/orders/query', { machine_no })).body.code, ErrorCode.FIELD_INVALID);
      const stranger = await seedMerchant(server.store);
      const foreign = await api('/orders/query', { machine_no: stranger.machines[0]!.machine_no, date: '2024-01-01' });
      const missing = await api('/orders/query', { machine_no: '99999999901', date: '2024-01-01' });
      assert.equal(foreign.body.code, ErrorCode.MACHINE_NOT_FOUND);
      assert.deepEqual(refusal(foreign), refusal(missing));
      assert.deepEqual(refusal(await api('/machines/pushes', { machine_no: stranger.machines[0]!.machine_no })), refusal(await api('/machines/pushes', { machine_no: '99999999901' })));
    });

    it('an order that is not the machine’s is 80002 on /deliveries/query; an empty day answers a page with nothing in it', async () => {
      assert.equal((await api('/deliveries/query', { machine_no, order_id: '999999' })).body.code, ErrorCode.RECORD_NOT_FOUND);
      const day = await api('/orders/query', { machine_no, date: '2024-01-01' });
      assert.deepEqual(day.body, { code: 0, message: 'ok', data: { current_page: 1, last_page: 1, per_page: 10 } });
    });

    it('per_page beyond 1..100 and a before_id that is no id are 10001 on /callbacks/latest; none yet is []', async () => {
      assert.equal((await api('/callbacks/latest', { per_page: '0' })).body.code, ErrorCode.FIELD_INVALID);
      assert.equal((await api('/callbacks/latest', { per_page: '101' })).body.code, ErrorCode.FIELD_INVALID);
      assert.equal((await api('/callbacks/latest', { before_id: 'x' })).body.code, ErrorCode.FIELD_INVALID);
      assert.deepEqual((await api('/callbacks/latest', {})).body.data, []);
    });

    it('PUT /webhook refuses a missing or unknown method (10004) and a set without an http(s) URL (10001 naming webhook_url), changing nothing', async () => {
      const before = (await api('/webhook', {})).body.data;
      assert.equal((await api('/webhook', {}, 'PUT')).body.code, ErrorCode.METHOD_INVALID);
      assert.equal((await api('/webhook', { method: 'webhook.delete' }, 'PUT')).body.code, ErrorCode.METHOD_INVALID);
      for (const fields of [{ method: 'webhook.set' } as Record<string, string>, { method: 'webhook.set', webhook_url: 'javascript:alert(1)' }, { method: 'webhook.set', webhook_url: 'ftp://merchant.example/x' }]) {
        const answer = await api('/webhook', fields, 'PUT');
        assert.equal(answer.body.code, ErrorCode.FIELD_INVALID, JSON.stringify(fields));
        assert.match(answer.body.message, /webhook_url/);
      }
      assert.deepEqual((await api('/webhook', {})).body.data, before);
    });

    it('a rotated secret is answered once per rotation and differs each time; the webhook’s read never shows it', async () => {
      const first = await api('/webhook', { method: 'webhook.rotate_secret' }, 'PUT');
      const second = await api('/webhook', { method: 'webhook.rotate_secret' }, 'PUT');
      assert.match(first.body.data.webhook_secret, /^whsec_/);
      assert.notEqual(first.body.data.webhook_secret, second.body.data.webhook_secret);
      assert.doesNotMatch(JSON.stringify((await api('/webhook', {})).body), /whsec_/);
    });
  });
}
