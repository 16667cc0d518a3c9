/**
 * Bulk changes (a cancel-all of thousands of codes) run in steps with pauses for other
 * requests, inside one transaction: all or nothing, and what other merchants write in the
 * meantime is neither lost nor tied to the bulk change's fate.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from '../helpers/node-test.js';
import { sql } from 'kysely';
import pg from 'pg';
import { BULK_STEP } from '../../src/service/pickup-codes.js';
import { asMerchant, seedMerchant, startTestServer, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

/** Enough codes for several steps. */
const CODES = BULK_STEP * 2 + 500;

for (const kind of storeKinds()) {
  describe(`bulk changes [${kind.name}]`, { skip: kind.skip }, () => {
    let server: TestServer;
    let bulk: MerchantFixture;
    let other: MerchantFixture;
    let nonce = 0;

    before(async () => {
      server = await startTestServer(kind);
      bulk = await seedMerchant(server.store, { products: 1, capacity: CODES });
      other = await seedMerchant(server.store, { products: 1, capacity: 1000 });
    });
    after(() => server.close());

    const machineOf = (merchant: MerchantFixture) => merchant.machines[0]!;
    const create = (merchant: MerchantFixture, count: number) =>
      asMerchant(server.url, merchant)('/pickup_codes', {
        machine_no: machineOf(merchant).machine_no,
        method: 'pickup_code.product.id',
        product_id: String(machineOf(merchant).productIds[0]),
        count: String(count),
        code_length: '8',
        nonce: String(++nonce),
      });
    const cancelOne = (merchant: MerchantFixture, id: number) =>
      asMerchant(server.url, merchant)('/pickup_codes', { machine_no: machineOf(merchant).machine_no, method: 'pickup_code.delete.id', id: String(id), nonce: String(++nonce) }, 'PUT');
    const cancelAllFields = () => ({ machine_no: machineOf(bulk).machine_no, method: 'pickup_code.delete.all', nonce: String(++nonce) });
    const cancelAll = (fields: Record<string, string>) => asMerchant(server.url, bulk)('/pickup_codes', fields, 'PUT');

    /** Codes of the other merchant, to cancel while the bulk change runs. */
    async function otherMerchantsCodes(count: number): Promise<number[]> {
      const answer = await create(other, count);
      assert.equal(answer.body.code, 0);
      return (answer.body.data.codes as Array<{ id: number }>).map((c) => c.id);
    }

    async function codesOf(merchant: MerchantFixture) {
      return server.store.db.selectFrom('pickup_codes').select(['id', 'status']).where('machine_id', '=', machineOf(merchant).machine_id).orderBy('id').execute();
    }
    async function historyOf(ids: number[], action: string) {
      if (ids.length === 0) return [];
      return server.store.db.selectFrom('code_history').select('pickup_code_id').where('action', '=', action).where('pickup_code_id', 'in', ids).execute();
    }
    async function pushesOf(merchant: MerchantFixture) {
      return server.store.db.selectFrom('outbox').select(['id', 'method']).where('machine_id', '=', machineOf(merchant).machine_id).orderBy('id').execute();
    }

    /** Sends the other merchant's creates and cancels without waiting; what each acknowledged, once all are answered. */
    async function otherMerchantsWrites(toCancel: number[]): Promise<{ created: number[]; cancelled: number[] }> {
      const [created, cancelled] = await Promise.all([Promise.all(Array.from({ length: 10 }, () => create(other, 1))), Promise.all(toCancel.map((id) => cancelOne(other, id)))]);
      for (const write of [...created, ...cancelled]) assert.equal(write.body.code, 0, JSON.stringify(write.body));
      return { created: created.map((c) => c.body.data.codes[0].id as number), cancelled: toCancel };
    }

    /** Sends the cancel-all and, while it runs, the other merchant's writes. */
    async function cancelAllAmongOthers(fields: Record<string, string>) {
      const toCancel = await otherMerchantsCodes(5);
      const [answer, writes] = await Promise.all([cancelAll(fields), otherMerchantsWrites(toCancel)]);
      return { answer, ...writes };
    }

    async function assertOtherWritesKept(writes: { created: number[]; cancelled: number[] }) {
      const codes = new Map((await codesOf(other)).map((c) => [c.id, c.status]));
      for (const id of writes.created) assert.equal(codes.get(id), 'UNUSED', `created code ${id} is there`);
      for (const id of writes.cancelled) assert.equal(codes.get(id), 'CANCELLED', `cancelled code ${id} stays cancelled`);
      assert.equal((await historyOf(writes.created, 'create')).length, writes.created.length, 'one create history row each');
      assert.equal((await historyOf(writes.cancelled, 'cancel')).length, writes.cancelled.length, 'one cancel history row each');
      const pushes = await pushesOf(other);
      assert.equal(pushes.filter((p) => p.method === 'client.pickup_codes.create').length >= writes.created.length, true, 'each created code is pushed');
      assert.equal(pushes.filter((p) => p.method === 'client.pickup_codes.delete').length >= writes.cancelled.length, true, 'each cancel is pushed');
    }

    it(`a cancel-all that fails at a code in its third step of ${BULK_STEP} changes nothing, and other merchants' writes made meanwhile are all kept`, async () => {
      const made = await create(bulk, CODES);
      assert.equal(made.body.code, 0, JSON.stringify(made.body).slice(0, 300));
      const ids = (await codesOf(bulk)).map((c) => c.id);
      const pushesBefore = await pushesOf(bulk);
      const failAt = ids[BULK_STEP * 2 + 100]!;
      await injectFailure(server, failAt);
      try {
        const fields = cancelAllFields();
        const { answer, ...writes } = await cancelAllAmongOthers(fields);
        assert.equal(answer.status, 500);
        assert.deepEqual(answer.body, { code: 500, message: 'Internal Server Error', data: {} });
        const codes = await codesOf(bulk);
        assert.equal(codes.length, CODES);
        assert.ok(
          codes.every((c) => c.status === 'UNUSED'),
          'the steps done before the failure are undone',
        );
        assert.equal((await historyOf(ids, 'cancel')).length, 0, 'no history row of the failed cancel-all');
        assert.deepEqual(await pushesOf(bulk), pushesBefore, 'nothing pushed for it');
        await assertOtherWritesKept(writes);

        await removeFailure(server);
        const retry = await cancelAll(fields);
        assert.deepEqual(retry.body, { code: 0, message: 'ok', data: { count: CODES } }, 'the same request succeeds once the fault is gone');
      } finally {
        await removeFailure(server);
      }
    });

    it(`a cancel-all of ${CODES} codes cancels each once, with one history row each and one delete push each, while other merchants' writes made meanwhile are all kept`, async () => {
      const made = await create(bulk, CODES);
      assert.equal(made.body.code, 0);
      const ids = (made.body.data.codes as Array<{ id: number }>).map((c) => c.id);
      const lastPush = (await pushesOf(bulk)).at(-1)!.id;
      const { answer, ...writes } = await cancelAllAmongOthers(cancelAllFields());
      assert.deepEqual(answer.body, { code: 0, message: 'ok', data: { count: CODES } });
      const statuses = new Map((await codesOf(bulk)).map((c) => [c.id, c.status]));
      assert.ok(ids.every((id) => statuses.get(id) === 'CANCELLED'));
      const history = await historyOf(ids, 'cancel');
      assert.equal(history.length, CODES);
      assert.equal(new Set(history.map((h) => h.pickup_code_id)).size, CODES, 'one history row per code');
      // One delete per code, in id order (the dispatcher makes one sync of them for an extended machine).
      const pushes = (await server.store.db.selectFrom('outbox').select(['id', 'method', 'body']).where('machine_id', '=', machineOf(bulk).machine_id).where('id', '>', lastPush).orderBy('id').execute());
      assert.ok(pushes.every((p) => p.method === 'client.pickup_codes.delete'));
      assert.deepEqual(
        pushes.map((p) => Number((JSON.parse(p.body) as { id: string }).id)),
        [...ids].sort((a, b) => a - b),
      );
      await assertOtherWritesKept(writes);
    });

    if (kind.name === 'postgres') {
      it('on PostgreSQL, other merchants are served, reads and writes, while a cancel-all is held mid-way', async () => {
        const made = await create(bulk, CODES);
        const ids = (made.body.data.codes as Array<{ id: number }>).map((c) => c.id);
        const lockKey = 700_000 + Math.floor(Math.random() * 100_000);
        await holdAt(server, ids[BULK_STEP + 10]!, lockKey);
        const holder = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
        await holder.connect();
        try {
          await holder.query('select pg_advisory_lock($1)', [lockKey]);
          const toCancel = await otherMerchantsCodes(5);
          const bulkAnswer = cancelAll(cancelAllFields());
          // The cancel-all is now stopped inside its transaction, its steps so far uncommitted.
          await until(async () => (await holder.query('select 1 from pg_locks where locktype = $1 and objid = $2 and not granted', ['advisory', lockKey])).rowCount === 1);
          const writes = await otherMerchantsWrites(toCancel);
          const read = await asMerchant(server.url, other)(`/products/${machineOf(other).productIds[0]}/pickup_code`, { machine_no: machineOf(other).machine_no });
          assert.equal(read.body.code, 0);
          await assertOtherWritesKept(writes);
          await holder.query('select pg_advisory_unlock($1)', [lockKey]);
          assert.deepEqual((await bulkAnswer).body, { code: 0, message: 'ok', data: { count: CODES } });
        } finally {
          await holder.end();
          await removeFailure(server);
        }
      });
    }
  });
}

async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** PostgreSQL: a trigger makes the cancel of one code wait for an advisory lock the test holds. */
async function holdAt(server: TestServer, codeId: number, lockKey: number): Promise<void> {
  const db = server.store.db;
  await sql`create function ${sql.raw(FAILURE)}() returns trigger language plpgsql as $$ begin perform pg_advisory_xact_lock_shared(${sql.raw(String(lockKey))}); return new; end $$`.execute(db);
  await sql`create trigger ${sql.raw(FAILURE)} before update on pickup_codes for each row
    when (new.id = ${sql.raw(String(codeId))} and new.status = 'CANCELLED') execute function ${sql.raw(FAILURE)}()`.execute(db);
}

const FAILURE = 'vendcloud_test_fail_midway';

/** A real fault in the database: a trigger refuses to cancel one given code. */
async function injectFailure(server: TestServer, codeId: number): Promise<void> {
  const db = server.store.db;
  if (server.kind.name === 'sqlite') {
    await sql`create trigger ${sql.raw(FAILURE)} before update of status on pickup_codes
      when new.id = ${sql.raw(String(codeId))} and new.status = 'CANCELLED'
      begin select raise(abort, 'injected failure'); end`.execute(db);
    return;
  }
  await sql`create function ${sql.raw(FAILURE)}() returns trigger language plpgsql as $$ begin raise exception 'injected failure'; end $$`.execute(db);
  await sql`create trigger ${sql.raw(FAILURE)} before update on pickup_codes for each row
    when (new.id = ${sql.raw(String(codeId))} and new.status = 'CANCELLED') execute function ${sql.raw(FAILURE)}()`.execute(db);
}

async function removeFailure(server: TestServer): Promise<void> {
  const db = server.store.db;
  await sql`drop trigger if exists ${sql.raw(FAILURE)}${sql.raw(server.kind.name === 'postgres' ? ' on pickup_codes' : '')}`.execute(db);
  if (server.kind.name === 'postgres') await sql`drop function if exists ${sql.raw(FAILURE)}()`.execute(db);
}

