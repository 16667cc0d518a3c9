/** merchants.repository.ts: accounts as authentication reads them, and the operator's changes to one merchant only (issue 25). */
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { describe, it } from '../helpers/node-test.js';
import * as merchants from '../../src/store/repositories/merchants.repository.js';
import type { Store } from '../../src/store/store.js';
import { BY_TEST, storeKinds } from '../helpers/stores.js';
import { addMachine, addMerchant, withStore } from './fleet-fixtures.js';

/** Three merchants; the middle one is the one each test changes. */
async function three(store: Store) {
  const before = await addMerchant(store, 'before');
  const target = await addMerchant(store, 'target');
  const after = await addMerchant(store, 'after');
  return { before, target, after };
}

const columns = async (store: Store, column: 'verified' | 'require_nonce' | 'app_secret_hash' | 'webhook_url' | 'webhook_secret' | 'request_sign_form' | 'credentials_changed_at') =>
  (await store.db.selectFrom('merchants').select(column).orderBy('id').execute()).map((row) => (row as Record<string, unknown>)[column]);

for (const kind of storeKinds()) {
  describe(`merchants repository [${kind.name}]`, { skip: kind.skip }, () => {
    it('findAccountByAppid answers the account of that Appid with its credential fields, and nothing for an unknown one', () =>
      withStore(kind, async (store) => {
        const m = await three(store);
        await store.write(BY_TEST, ({ trx }) => merchants.update(trx, m.target, { expires_at: 900, require_nonce: 1, signing_secret: 'sk', live_codes_limit: 'stock' }));
        assert.deepEqual(await merchants.findAccountByAppid(store.db, 'dstarget0000000000'), {
          id: m.target,
          appid: 'dstarget0000000000',
          app_secret_hash: 'hash-of-target',
          verified: 1,
          expires_at: 900,
          require_nonce: 1,
          request_sign_form: null,
          suspended: 0,
          signing_secret: 'sk',
          require_signature: 0,
          live_codes_limit: 'stock',
        });
        assert.equal(await merchants.findAccountByAppid(store.db, 'dsnobody0000000000'), undefined);
      }));

    it('insert stores the merchant as given, verified as 1 or 0, and answers its id', () =>
      withStore(kind, async (store) => {
        const m = await three(store);
        const insert = (name: string, verified: boolean, expiresAt: number | null) =>
          store.write(BY_TEST, ({ trx }) => merchants.insert(trx, { name, appid: `ds${name}`.padEnd(18, '0'), appSecretHash: `h-${name}`, verified, expiresAt, createdAt: 77 }));
        const yes = await insert('yes', true, 1000);
        const no = await insert('no', false, null);
        assert.equal(yes, m.after + 1);
        assert.equal(no, m.after + 2);
        const rows = await store.db.selectFrom('merchants').select(['name', 'appid', 'app_secret_hash', 'verified', 'expires_at', 'created_at']).where('id', '>=', yes).orderBy('id').execute();
        assert.deepEqual(rows, [
          { name: 'yes', appid: 'dsyes0000000000000', app_secret_hash: 'h-yes', verified: 1, expires_at: 1000, created_at: 77 },
          { name: 'no', appid: 'dsno00000000000000', app_secret_hash: 'h-no', verified: 0, expires_at: null, created_at: 77 },
        ]);
      }));

    it('update changes only that merchant and answers false for no such merchant', () =>
      withStore(kind, async (store) => {
        const m = await three(store);
        assert.equal(await store.write(BY_TEST, ({ trx }) => merchants.update(trx, m.target, { verified: 0, credentials_changed_at: 50 })), true);
        assert.deepEqual(await columns(store, 'verified'), [1, 0, 1]);
        assert.deepEqual(await columns(store, 'credentials_changed_at'), [null, 50, null]);
        assert.equal(await store.write(BY_TEST, ({ trx }) => merchants.update(trx, m.after + 1, { verified: 1 })), false);
      }));

    it('appidsChangedSince lists the Appids whose credentials changed at or after the second given', () =>
      withStore(kind, async (store) => {
        const m = await three(store);
        await store.write(BY_TEST, async ({ trx }) => {
          await merchants.update(trx, m.before, { credentials_changed_at: 59 });
          await merchants.update(trx, m.target, { credentials_changed_at: 60 });
          await merchants.update(trx, m.after, { credentials_changed_at: 61 });
        });
        assert.deepEqual((await merchants.appidsChangedSince(store.db, 60)).sort(), ['dsafter00000000000', 'dstarget0000000000']);
        assert.deepEqual(await merchants.appidsChangedSince(store.db, 62), []);
      }));

    it('exists is true only for a stored merchant', () =>
      withStore(kind, async (store) => {
        const m = await three(store);
        assert.equal(await merchants.exists(store.db, m.target), true);
        assert.equal(await merchants.exists(store.db, m.after + 1), false);
      }));

    it('listForOperator lists every merchant by id with its number of machines, and no secret', () =>
      withStore(kind, async (store) => {
        const m = await three(store);
        await addMachine(store, m.target, '10000001');
        await addMachine(store, m.after, '10000002');
        await addMachine(store, m.target, '10000003');
        await store.write(BY_TEST, ({ trx }) => merchants.setWebhook(trx, m.target, { url: 'https://example.com/hook', secret: 'whsec' }));
        const listed = await merchants.listForOperator(store.db);
        assert.deepEqual(
          listed.map((row) => ({ ...row, machines: Number(row.machines) })),
          [
            { id: m.before, name: 'before', appid: 'dsbefore0000000000', verified: 1, expires_at: null, created_at: 1, webhook_url: null, machines: 0 },
            { id: m.target, name: 'target', appid: 'dstarget0000000000', verified: 1, expires_at: null, created_at: 1, webhook_url: 'https://example.com/hook', machines: 2 },
            { id: m.after, name: 'after', appid: 'dsafter00000000000', verified: 1, expires_at: null, created_at: 1, webhook_url: null, machines: 1 },
          ],
        );
      }));

    it('findFirstByName answers the oldest merchant of that name', () =>
      withStore(kind, async (store) => {
        const m = await three(store);
        await addMerchant(store, 'target', { appid: 'dssecondtarget0000' });
        assert.deepEqual(await merchants.findFirstByName(store.db, 'target'), { id: m.target, appid: 'dstarget0000000000' });
        assert.equal(await merchants.findFirstByName(store.db, 'nobody'), undefined);
      }));

    it('setSecretHash replaces only that merchant\'s hash', () =>
      withStore(kind, async (store) => {
        const m = await three(store);
        await store.write(BY_TEST, ({ trx }) => merchants.setSecretHash(trx, m.target, 'new-hash'));
        assert.deepEqual(await columns(store, 'app_secret_hash'), ['hash-of-before', 'new-hash', 'hash-of-after']);
      }));

    it('webhookOf and callbackSigningOf answer the merchant\'s webhook, secret and signing forms', () =>
      withStore(kind, async (store) => {
        const m = await three(store);
        await store.write(BY_TEST, async ({ trx }) => {
          await merchants.setWebhook(trx, m.target, { url: 'https://example.com/t', secret: 'sec-t' });
          await merchants.setWebhook(trx, m.before, { url: 'https://example.com/b', secret: 'sec-b' });
          await merchants.update(trx, m.target, { callback_sign_form: 'query-escaped' });
          await merchants.recordRequestSignForm(trx, m.target, 'uri-encoded-twice');
        });
        assert.deepEqual(await merchants.webhookOf(store.db, m.target), { webhook_url: 'https://example.com/t', webhook_secret: 'sec-t' });
        assert.deepEqual(await merchants.webhookOf(store.db, m.after), { webhook_url: null, webhook_secret: null });
        assert.equal(await merchants.webhookOf(store.db, m.after + 1), undefined);
        assert.deepEqual(await merchants.callbackSigningOf(store.db, m.target), { webhook_secret: 'sec-t', callback_sign_form: 'query-escaped', request_sign_form: 'uri-encoded-twice' });
        assert.deepEqual(await merchants.callbackSigningOf(store.db, m.after), { webhook_secret: null, callback_sign_form: 'auto', request_sign_form: null });
      }));

    it('recordRequestSignForm writes the form when it changes and leaves a row already holding it alone', () =>
      withStore(kind, async (store) => {
        const m = await three(store);
        const writes: number[] = [];
        const record = (form: 'query-escaped' | 'uri-encoded-twice') =>
          store.write(BY_TEST, async ({ trx }) => {
            await merchants.recordRequestSignForm(trx, m.target, form);
            // SQLite's changes(): the rows the last statement wrote (PostgreSQL has no such function).
            if (store.dialect === 'sqlite') writes.push((await sql<{ n: number }>`select changes() as n`.execute(trx)).rows[0]!.n);
          });
        await record('query-escaped');
        await record('query-escaped');
        await record('uri-encoded-twice');
        assert.deepEqual(await columns(store, 'request_sign_form'), [null, 'uri-encoded-twice', null]);
        if (store.dialect === 'sqlite') assert.deepEqual(writes, [1, 0, 1]);
      }));

    it('setWebhook sets the url, the secret or both; a null url clears it; the other field stays', () =>
      withStore(kind, async (store) => {
        const m = await three(store);
        const set = (change: { url?: string | null; secret?: string }) => store.write(BY_TEST, ({ trx }) => merchants.setWebhook(trx, m.target, change));
        assert.equal(await set({ url: 'https://example.com/a', secret: 's1' }), true);
        assert.equal(await set({ secret: 's2' }), true);
        assert.deepEqual([await columns(store, 'webhook_url'), await columns(store, 'webhook_secret')], [[null, 'https://example.com/a', null], [null, 's2', null]]);
        assert.equal(await set({ url: null }), true);
        assert.deepEqual([await columns(store, 'webhook_url'), await columns(store, 'webhook_secret')], [[null, null, null], [null, 's2', null]]);
      }));

    it('setWebhook answers whether the merchant exists, with or without a change', () =>
      withStore(kind, async (store) => {
        const m = await three(store);
        const set = (id: number, change: { url?: string | null; secret?: string }) => store.write(BY_TEST, ({ trx }) => merchants.setWebhook(trx, id, change));
        assert.equal(await set(m.target, {}), true);
        assert.equal(await set(m.after + 1, {}), false);
        assert.equal(await set(m.after + 1, { url: 'https://example.com/x' }), false);
        assert.deepEqual(await columns(store, 'webhook_url'), [null, null, null]);
      }));
  });
}
