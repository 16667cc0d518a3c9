/**
 * A repeated request means what it meant on the original platform (issue 9): without an
 * idempotency key every write runs; with one (a signed `nonce`, or an `Idempotency-Key`
 * header) it runs once per (merchant, key) and a repeat gets the first answer, byte for byte.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { AnsweredRequests } from '../../src/http/answer-once.js';
import { encodeBase64Text } from '../../src/protocol/payload.js';
import { withSign } from '../../src/protocol/signature.js';
import { nowSeconds } from '../../src/protocol/time.js';
import { setMerchant } from '../../src/service/admin.js';
import { call, seedMerchant, startTestServer, writtenRows, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

const CREATE = 'pickup_code.product.id';

for (const kind of storeKinds()) {
  describe(`repeated requests and idempotency keys [${kind.name}]`, { skip: kind.skip }, () => {
    let server: TestServer;
    let now = nowSeconds();
    let merchant: MerchantFixture;
    let machineNo: string;
    let productId: number;

    before(async () => {
      server = await startTestServer(kind, { clock: () => now });
      merchant = await seedMerchant(server.store, { capacity: 100 });
      machineNo = merchant.machines[0]!.machine_no;
      productId = merchant.machines[0]!.productIds[0]!;
    });
    after(() => server.close());

    /** One signed request, frozen: sending it again sends the very same bytes. */
    const frozen = (fields: Record<string, string>, options: { method?: 'POST' | 'PUT'; headers?: Record<string, string>; as?: MerchantFixture } = {}) => {
      const who = options.as ?? merchant;
      const signed = withSign({ machine_no: machineNo, timestamp: String(now), ...fields }, String(who.merchant_id));
      const rawBody = JSON.stringify({ payload: encodeBase64Text(JSON.stringify(signed)) });
      const path = fields.method?.startsWith('event.') ? '/consumes' : '/pickup_codes';
      return () => call(server.url, path, { method: options.method ?? 'POST', appid: who.appid, secret: who.app_secret, rawBody, ...(options.headers ? { headers: options.headers } : {}) });
    };
    const cancel = (id: number, extra: Record<string, string> = {}) => frozen({ method: 'pickup_code.delete.id', id: String(id), ...extra }, { method: 'PUT' });
    const codeCount = async () =>
      Number((await server.store.db.selectFrom('pickup_codes').select((eb) => eb.fn.countAll<number>().as('n')).where('product_id', '=', productId).executeTakeFirstOrThrow()).n);
    const storedKeys = async () => (await server.store.db.selectFrom('answered_requests').select('idempotency_key').execute()).map((row) => row.idempotency_key);
    const ids = (answer: Awaited<ReturnType<typeof call>>) => (answer.body.data.codes as Array<{ id: number }>).map((code) => code.id);

    it('two identical creates without a key make two distinct sets of codes, and store no answer', async () => {
      const create = frozen({ method: CREATE, product_id: String(productId), count: '2' });
      const [keysBefore, before] = [await storedKeys(), await codeCount()];
      const [first, second] = [await create(), await create()];
      assert.equal(first.body.code, 0);
      assert.equal(second.body.code, 0);
      assert.equal(new Set([...ids(first), ...ids(second)]).size, 4, 'four different codes');
      assert.equal(await codeCount(), before + 4);
      assert.deepEqual(await storedKeys(), keysBefore);
    });

    it('the same cancel twice without a key answers 0, then 80002', async () => {
      const made = await frozen({ method: CREATE, product_id: String(productId) })();
      const again = cancel(ids(made)[0]!);
      assert.deepEqual((await again()).body, { code: 0, message: 'ok', data: {} });
      assert.deepEqual((await again()).body, { code: 80002, message: '查不到对应记录', data: {} });
    });

    it('a second identical cancel-all without a key answers count 0', async () => {
      await frozen({ method: CREATE, product_id: String(productId), count: '3' })();
      const cancelAll = frozen({ method: 'pickup_code.delete.all' }, { method: 'PUT' });
      assert.ok((await cancelAll()).body.data.count >= 3);
      // It runs again and cancels nothing: a count of 0 is a zero value, left out (protobuf style).
      assert.deepEqual((await cancelAll()).body, { code: 0, message: 'ok', data: {} });
    });

    it('the same body with a nonce twice gets the same answer and changes things once', async () => {
      const create = frozen({ method: CREATE, product_id: String(productId), count: '3', nonce: 'same-body' });
      const before = await codeCount();
      const first = await create();
      assert.equal(first.body.code, 0);
      assert.deepEqual((await create()).body, first.body);
      assert.equal(await codeCount(), before + 3);
    });

    it('a retry re-signed with a new timestamp but the same nonce and fields gets the first answer', async () => {
      const fields = { method: CREATE, product_id: String(productId), nonce: 'resigned' };
      const first = await frozen(fields)();
      const before = await codeCount();
      now += 7;
      assert.deepEqual((await frozen(fields)()).body, first.body);
      assert.equal(await codeCount(), before);
    });

    it('the same Idempotency-Key header twice gets the same answer and changes things once', async () => {
      const made = await frozen({ method: CREATE, product_id: String(productId) })();
      const again = frozen({ method: 'pickup_code.delete.id', id: String(ids(made)[0]) }, { method: 'PUT', headers: { 'Idempotency-Key': 'cancel-by-header' } });
      assert.deepEqual((await again()).body, { code: 0, message: 'ok', data: {} });
      assert.deepEqual((await again()).body, { code: 0, message: 'ok', data: {} });
      const history = await server.store.db.selectFrom('code_history').select('id').where('pickup_code_id', '=', ids(made)[0]!).where('action', '=', 'cancel').execute();
      assert.equal(history.length, 1, 'cancelled once');
    });

    it('a key reused with other fields is refused with 10001 naming the key, and nothing changes', async () => {
      assert.equal((await frozen({ method: CREATE, product_id: String(productId), count: '1', nonce: 'reused' })()).body.code, 0);
      const header = { 'Idempotency-Key': 'reused-header' };
      assert.equal((await frozen({ method: CREATE, product_id: String(productId), count: '1' }, { headers: header })()).body.code, 0);
      const before = await writtenRows(server.store);
      const other = await frozen({ method: CREATE, product_id: String(productId), count: '2', nonce: 'reused' })();
      assert.equal(other.status, 400);
      assert.deepEqual(other.body, { code: 10001, message: '表单校验失败，请重新输入: nonce "reused" was used before by a request with other fields', data: {} });
      const viaHeader = await frozen({ method: 'pickup_code.delete.all' }, { method: 'PUT', headers: header })();
      assert.equal(viaHeader.body.code, 10001);
      assert.match(viaHeader.body.message, /Idempotency-Key "reused-header" was used before/);
      assert.deepEqual(await writtenRows(server.store), before);
    });

    it('a nonce is the key even when a header is sent too, and keys are per merchant', async () => {
      const create = (header: string, as = merchant) => {
        const machine = as.machines[0]!;
        const fields = { machine_no: machine.machine_no, method: CREATE, product_id: String(machine.productIds[0]), nonce: 'both' };
        return frozen(fields, { headers: { 'Idempotency-Key': header }, as })();
      };
      const first = await create('header-1');
      assert.equal(first.body.code, 0);
      assert.deepEqual((await create('header-2')).body, first.body);
      const theirs = await create('header-1', await seedMerchant(server.store));
      assert.equal(theirs.body.code, 0);
      assert.notDeepEqual(theirs.body, first.body);
    });

    it('identical keyed requests racing each other still run once', async () => {
      const create = frozen({ method: CREATE, product_id: String(productId), count: '2', nonce: 'race' });
      const before = await codeCount();
      const answers = await Promise.all(Array.from({ length: 12 }, () => create()));
      for (const answer of answers) assert.deepEqual(answer.body, answers[0]!.body);
      assert.equal(answers[0]!.body.code, 0);
      assert.equal(await codeCount(), before + 2);
    });

    it('a keyed business failure is stored and answered again; a keyed request fault is not, so the key stays free', async () => {
      const missing = cancel(99_999_999, { nonce: 'missing' });
      assert.equal((await missing()).body.code, 80002);
      assert.equal((await missing()).body.code, 80002);
      assert.ok((await storedKeys()).includes('missing'));
      assert.equal((await frozen({ method: CREATE, product_id: String(productId), count: '0', nonce: 'fixed-later' })()).body.code, 10001);
      assert.ok(!(await storedKeys()).includes('fixed-later'));
      assert.equal((await frozen({ method: CREATE, product_id: String(productId), count: '1', nonce: 'fixed-later' })()).body.code, 0);
    });

    it('a key longer than 255 characters is refused with 10001 naming it', async () => {
      const answer = await frozen({ method: CREATE, product_id: String(productId), nonce: 'n'.repeat(256) })();
      assert.equal(answer.body.code, 10001);
      assert.match(answer.body.message, /: nonce must be at most 255 characters/);
    });

    it('with require-nonce on, a write without a signed nonce is refused and one with a nonce runs once; off again, accepted', async () => {
      await setMerchant(server.store, merchant.merchant_id, { requireNonce: true });
      try {
        const before = await writtenRows(server.store);
        const bare = await frozen({ method: CREATE, product_id: String(productId) })();
        assert.equal(bare.status, 400);
        assert.equal(bare.body.code, 10001);
        assert.match(bare.body.message, /: nonce is required/);
        const headerOnly = await frozen({ method: CREATE, product_id: String(productId) }, { headers: { 'Idempotency-Key': 'unsigned' } })();
        assert.equal(headerOnly.body.code, 10001, 'an unsigned header is no replay protection');
        assert.deepEqual(await writtenRows(server.store), before);
        const keyed = frozen({ method: CREATE, product_id: String(productId), nonce: 'strict' });
        const first = await keyed();
        assert.equal(first.body.code, 0);
        const count = await codeCount();
        assert.deepEqual((await keyed()).body, first.body, 'a replay gets the stored answer, never a second run');
        assert.equal(await codeCount(), count);
        const read = await call(server.url, '/pickup_codes/query', { appid: merchant.appid, secret: merchant.app_secret, key: String(merchant.merchant_id), fields: { machine_no: machineNo } });
        assert.equal(read.body.code, 0, 'reads need no nonce');
      } finally {
        await setMerchant(server.store, merchant.merchant_id, { requireNonce: false });
      }
      assert.equal((await frozen({ method: CREATE, product_id: String(productId) })()).body.code, 0);
    });

    it('stored answers survive a restart', async () => {
      const create = frozen({ method: CREATE, product_id: String(productId), nonce: 'restart' });
      const first = await create();
      server = await server.restart();
      const before = await codeCount();
      assert.deepEqual((await create()).body, first.body);
      assert.equal(await codeCount(), before);
    });

    it('stored answers are kept 24 hours, then purged', async () => {
      assert.equal((await frozen({ method: CREATE, product_id: String(productId), nonce: 'day-old' })()).body.code, 0);
      const answers = new AnsweredRequests(server.store, 300);
      assert.equal(answers.retentionSeconds, 24 * 3600);
      await answers.purge(now + 24 * 3600);
      assert.ok((await storedKeys()).includes('day-old'));
      assert.ok((await answers.purge(now + 24 * 3600 + 1)) >= 1);
      assert.ok(!(await storedKeys()).includes('day-old'));
    });
  });
}
