/** The store: durable by default, writes isolated from each other even when they share a commit. */
import assert from 'node:assert/strict';
import { readdirSync, readlinkSync } from 'node:fs';
import { describe, it } from '../helpers/node-test.js';
import { sql } from 'kysely';
import { openStore } from '../../src/store/store.js';
import { BY_TEST, storeKinds, withFreshStore } from '../helpers/stores.js';

const newMerchant = (name: string) => ({ name, appid: `ds${name}`.padEnd(18, '0'), app_secret_hash: 'sha256:x', created_at: 1 });

describe('SQLite durability', () => {
  it('closing the store lets go of the database file, even when a connection was never used', async () => {
    const location = await storeKinds()[0]!.fresh();
    const openFiles = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`).startsWith(location.db);
        } catch {
          return false;
        }
      });
    try {
      const store = await openStore(location.db, location.options);
      assert.ok(openFiles().length > 0);
      await store.close();
      assert.deepEqual(openFiles(), []);
    } finally {
      await location.cleanup();
    }
  });

  it('runs in WAL mode with synchronous=FULL unless told otherwise', () =>
    withFreshStore(storeKinds()[0]!, async (store) => {
      const journal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.db);
      const synchronous = await sql<{ synchronous: number }>`pragma synchronous`.execute(store.db);
      assert.equal(journal.rows[0]!.journal_mode, 'wal');
      assert.equal(synchronous.rows[0]!.synchronous, 2, 'FULL');
    }));
});

for (const kind of storeKinds()) {
  describe(`store writes [${kind.name}]`, { skip: kind.skip }, () => {
    it('a write that fails undoes only itself, even when it shares a transaction with others', () =>
      withFreshStore(kind, async (store) => {
        const results = await Promise.allSettled([
          store.write(BY_TEST, ({ trx }) => trx.insertInto('merchants').values(newMerchant('first')).execute()),
          store.write(BY_TEST, async ({ trx }) => {
            await trx.insertInto('merchants').values(newMerchant('second')).execute();
            throw new Error('changed my mind');
          }),
          store.write(BY_TEST, ({ trx }) => trx.insertInto('merchants').values(newMerchant('third')).execute()),
        ]);
        assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
        const names = (await store.db.selectFrom('merchants').select('name').orderBy('name').execute()).map((r) => r.name);
        assert.deepEqual(names, ['first', 'third']);
      }));

    it('a read is answered while a write transaction is open, and sees only what was committed', () =>
      withFreshStore(kind, async (store) => {
        await store.write(BY_TEST, ({ trx }) => trx.insertInto('merchants').values(newMerchant('committed')).execute());
        let finishWrite!: () => void;
        const writeMayFinish = new Promise<void>((resolve) => (finishWrite = resolve));
        let inside!: () => void;
        const writeIsInside = new Promise<void>((resolve) => (inside = resolve));
        const write = store.write(BY_TEST, async ({ trx }) => {
          await trx.insertInto('merchants').values(newMerchant('pending')).execute();
          inside();
          // A bulk change pausing between its steps: the transaction stays open meanwhile.
          await writeMayFinish;
        });
        await writeIsInside;
        const names = async () => (await store.db.selectFrom('merchants').select('name').orderBy('name').execute()).map((r) => r.name);
        assert.deepEqual(await names(), ['committed']);
        finishWrite();
        await write;
        assert.deepEqual(await names(), ['committed', 'pending']);
      }));

    it('a committed write is there after the store is closed and opened again; migrations run once', () =>
      withFreshStore(kind, async (first, location) => {
        await first.write(BY_TEST, ({ trx }) => trx.insertInto('merchants').values(newMerchant('kept')).execute());
        const second = await openStore(location.db, location.options);
        try {
          const names = (await second.db.selectFrom('merchants').select('name').execute()).map((r) => r.name);
          assert.deepEqual(names, ['kept']);
        } finally {
          await second.close();
        }
      }));

    it('refuses a second UNUSED code with the same digits on one machine', () =>
      withFreshStore(kind, async (store) => {
        const merchant = await store.write(BY_TEST, ({ trx }) => trx.insertInto('merchants').values(newMerchant('m')).returning('id').executeTakeFirstOrThrow());
        const machine = await store.write(BY_TEST, ({ trx }) =>
          trx.insertInto('machines').values({ merchant_id: merchant.id, machine_no: '12345678', time_zone: 'UTC', mqtt_password_hash: 'x', created_at: 1 }).returning('id').executeTakeFirstOrThrow(),
        );
        const product = await store.write(BY_TEST, ({ trx }) =>
          trx
            .insertInto('products')
            .values({ machine_id: machine.id, name: 'p', price_cents: 1, original_price_cents: 1, channel_name: 'A1', capacity: 5, inventory: 5, created_at: 1 })
            .returning('id')
            .executeTakeFirstOrThrow(),
        );
        const code = (status: 'UNUSED' | 'USED' | 'CANCELLED') => ({ machine_id: machine.id, product_id: product.id, code: '123456', status, created_at: 1 });
        await store.write(BY_TEST, ({ trx }) => trx.insertInto('pickup_codes').values(code('USED')).execute());
        await store.write(BY_TEST, ({ trx }) => trx.insertInto('pickup_codes').values(code('CANCELLED')).execute());
        await store.write(BY_TEST, ({ trx }) => trx.insertInto('pickup_codes').values(code('UNUSED')).execute());
        await assert.rejects(store.write(BY_TEST, ({ trx }) => trx.insertInto('pickup_codes').values(code('UNUSED')).execute()));
      }));
  });
}
