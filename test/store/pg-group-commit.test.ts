/**
 * PostgreSQL's group commit (issue 13, item 3): the writes of one event-loop turn share one
 * transaction; batches of different turns run side by side on their own connections, so a
 * write that waits too long for another batch's row lock runs again rather than failing or
 * waiting for a deadlock to be detected, and a write that then waits as long as it takes
 * holds up no other; nothing is
 * answered before its batch's COMMIT; and a batch whose connection is lost fails every write
 * in it as "store unavailable" (the 503 a client may retry).
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { sql } from 'kysely';
import pg from 'pg';
import { isStoreUnavailable } from '../../src/store/store.js';
import { BY_TEST, storeKinds, withFreshStore } from '../helpers/stores.js';
import type { Author, Tx } from '../../src/store/store.js';

const postgres = storeKinds().find((kind) => kind.name === 'postgres');
const newMerchant = (name: string) => ({ name, appid: `ds${name}`.padEnd(18, '0'), app_secret_hash: 'sha256:x', created_at: 1 });
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('PostgreSQL group commit', { skip: postgres!.skip }, () => {
  it('the writes of one turn share one transaction (one backend transaction id)', () =>
    withFreshStore(postgres!, async (store) => {
      const ids = await Promise.all([1, 2, 3].map(() => store.write(BY_TEST, async ({ trx }) => (await sql<{ id: string }>`select txid_current()::text as id`.execute(trx)).rows[0]!.id)));
      assert.equal(new Set(ids).size, 1, `one transaction: ${ids.join(', ')}`);
    }));

  it('two batches that lock rows in opposite orders: neither waits for PostgreSQL to detect the deadlock, the one that yields runs again by the same author at the same clock, and both writes succeed whole', { timeout: 30_000 }, () =>
    withFreshStore(postgres!, async (store) => {
      await store.write(BY_TEST, ({ trx }) => trx.insertInto('merchants').values([newMerchant('a'), newMerchant('b')]).execute());
      const rename = (trx: Tx, from: string, to: string) =>
        trx.updateTable('merchants').set({ name: to }).where('appid', '=', newMerchant(from).appid).execute();
      // PostgreSQL would notice the deadlock only after a minute, past this test's timeout:
      // the writes must get out of it by themselves, not by PostgreSQL's deadlock detection.
      const noDeadlockDetection = (trx: Tx) => sql`set local deadlock_timeout = '60s'`.execute(trx);
      const authors = { first: { actor: 'first', requestId: 'req-1', at: 1_800_000_001 }, second: { actor: 'second', requestId: null, at: 1_800_000_002 } };
      const runs: Record<'first' | 'second', Author[]> = { first: [], second: [] };
      let firstHoldsA!: () => void;
      const aLocked = new Promise<void>((resolve) => (firstHoldsA = resolve));
      let secondHoldsB!: () => void;
      const bLocked = new Promise<void>((resolve) => (secondHoldsB = resolve));
      // First locks a, then wants b; second (a batch of the next turn) locks b, then wants a.
      const first = store.write(authors.first, async ({ trx, author, now }) => {
        runs.first.push({ ...author, at: now });
        await noDeadlockDetection(trx);
        await rename(trx, 'a', 'a by first');
        firstHoldsA();
        await bLocked;
        await rename(trx, 'b', 'b by first');
      });
      await aLocked;
      await nextTurn();
      const second = store.write(authors.second, async ({ trx, author, now }) => {
        runs.second.push({ ...author, at: now });
        await noDeadlockDetection(trx);
        await rename(trx, 'b', 'b by second');
        secondHoldsB();
        await rename(trx, 'a', 'a by second');
      });
      const outcomes = await Promise.allSettled([first, second]);
      assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'fulfilled'], JSON.stringify(outcomes));
      assert.ok(runs.first.length + runs.second.length >= 3, `one of them at least ran again (runs: ${JSON.stringify(runs)})`);
      for (const write of ['first', 'second'] as const) {
        assert.deepEqual(runs[write], runs[write].map(() => authors[write]), `every run of the ${write} write had its author and clock`);
      }
      const names = (await store.db.selectFrom('merchants').select('name').orderBy('appid').execute()).map((r) => r.name);
      const writers = names.map((name) => name.split(' by ')[1]);
      assert.equal(writers[0], writers[1], `each write is whole, the last one over the first: ${names.join(', ')}`);
    }));

  it('a write that waits for a lock held elsewhere holds up no write that arrived with it: once it waits as long as it takes, it waits alone', { timeout: 30_000 }, () =>
    withFreshStore(postgres!, async (store) => {
      const lockKey = 600_000 + Math.floor(Math.random() * 100_000);
      const holder = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await holder.connect();
      try {
        await holder.query('select pg_advisory_lock($1)', [lockKey]);
        let waiterDone = false;
        // The same turn: both start in one batch, the second behind the first.
        const waiter = store
          .write(BY_TEST, ({ trx }) => sql`select pg_advisory_xact_lock_shared(${lockKey})`.execute(trx))
          .finally(() => (waiterDone = true));
        const other = store.write(BY_TEST, ({ trx }) => trx.insertInto('merchants').values(newMerchant('other')).returning('id').executeTakeFirstOrThrow());
        const outcome = await Promise.race([other.then(() => 'committed'), new Promise((resolve) => setTimeout(resolve, 10_000, 'still waiting'))]);
        assert.equal(outcome, 'committed', 'the other write commits while the lock is still held');
        assert.equal(waiterDone, false, 'the waiting write still waits');
        assert.equal((await store.db.selectFrom('merchants').select('name').execute()).length, 1, 'the other write is committed');
        await holder.query('select pg_advisory_unlock($1)', [lockKey]);
        await waiter;
      } finally {
        await holder.end();
      }
    }));

  it('a batch whose connection is ended fails each of its writes as store unavailable, and nothing of it stays', { timeout: 30_000 }, () =>
    withFreshStore(postgres!, async (store) => {
      const results = await Promise.allSettled([
        store.write(BY_TEST, ({ trx }) => trx.insertInto('merchants').values(newMerchant('kept?')).execute()),
        store.write(BY_TEST, async ({ trx }) => {
          await sql`select pg_terminate_backend(pg_backend_pid())`.execute(trx);
        }),
      ]);
      assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
      for (const result of results) assert.ok(isStoreUnavailable((result as PromiseRejectedResult).reason), String((result as PromiseRejectedResult).reason));
      assert.equal((await store.db.selectFrom('merchants').select('name').execute()).length, 0);
      await store.write(BY_TEST, ({ trx }) => trx.insertInto('merchants').values(newMerchant('after')).execute());
      assert.equal((await store.db.selectFrom('merchants').select('name').execute()).length, 1, 'the next write succeeds on a new connection');
    }));
});
