/**
 * history.repository.ts: one row per change of a code, by the change's author and at its
 * clock; a bulk change's rows in chunks with a pause between them, or written by the database
 * for the codes its cancel marked.
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import * as history from '../../src/store/repositories/history.repository.js';
import type { Author } from '../../src/store/store.js';
import { storeKinds, withFreshStore } from '../helpers/stores.js';
import { markedByOneCancel } from './repository-fixtures.js';

const AUTHOR: Author = { actor: 'merchant:3', requestId: 'r-9', at: 1234 };

const columns = (row: { pickup_code_id: number; action: string; from_status: string | null; to_status: string; actor: string; request_id: string | null; detail: string | null; at: number }) => [
  row.pickup_code_id,
  row.action,
  row.from_status,
  row.to_status,
  row.actor,
  row.request_id,
  row.detail,
  row.at,
];

for (const kind of storeKinds()) {
  describe(`history repository [${kind.name}]`, { skip: kind.skip }, () => {
    it('record writes one entry with its transition, detail and the author\'s actor, request and clock', () =>
      withFreshStore(kind, async (store) => {
        await store.write(AUTHOR, ({ trx, author }) => history.record(trx, [{ codeId: 41, action: 'cancel', from: 'UNUSED', to: 'CANCELLED', detail: 'by hand' }], author));
        await store.write({ actor: 'machine:1', requestId: null, at: 1300 }, ({ trx, author }) => history.record(trx, [{ codeId: 41, action: 'create', from: null, to: 'UNUSED' }], author));
        assert.deepEqual((await history.ofCode(store.db, 41)).map(columns), [
          [41, 'cancel', 'UNUSED', 'CANCELLED', 'merchant:3', 'r-9', 'by hand', 1234],
          [41, 'create', null, 'UNUSED', 'machine:1', null, null, 1300],
        ]);
      }));

    it('record writes many entries in order, in chunks of 500 with a pause between chunks, none after the last', () =>
      withFreshStore(kind, async (store) => {
        const entries = (count: number, from: number) =>
          Array.from({ length: count }, (_, index) => ({ codeId: from + index, action: 'cancel' as const, from: 'UNUSED' as const, to: 'CANCELLED' as const, ...(index === 0 ? { detail: 'first' } : {}) }));
        const pausesFor = async (count: number, from: number) => {
          let pauses = 0;
          await store.write(AUTHOR, ({ trx, author }) => history.record(trx, entries(count, from), author, async () => void pauses++));
          return pauses;
        };
        assert.equal(await pausesFor(1000, 10_000), 1);
        assert.equal(await pausesFor(1001, 20_000), 2);
        assert.equal(await pausesFor(2, 30_000), 0);
        const rows = await store.db.selectFrom('code_history').selectAll().orderBy('id').execute();
        assert.equal(rows.length, 2003);
        assert.deepEqual(columns(rows[0]!), [10_000, 'cancel', 'UNUSED', 'CANCELLED', 'merchant:3', 'r-9', 'first', 1234]);
        assert.deepEqual(columns(rows[1]!), [10_001, 'cancel', 'UNUSED', 'CANCELLED', 'merchant:3', 'r-9', null, 1234]);
        assert.deepEqual(rows.slice(1000, 1003).map((row) => row.pickup_code_id), [20_000, 20_001, 20_002]);
        assert.equal(rows[2000]!.pickup_code_id, 21_000);
        assert.deepEqual(rows.slice(2001).map((row) => row.pickup_code_id), [30_000, 30_001]);
      }));

    it('recordForMarked writes one row per code of the machine its cancel marked within (after, through], by the author', () =>
      withFreshStore(kind, async (store) => {
        const { machine, first, second, third, beyond } = await markedByOneCancel(store);
        await store.write(AUTHOR, ({ trx, author }) =>
          history.recordForMarked(trx, { action: 'cancel', from: 'UNUSED', to: 'CANCELLED', detail: 'cancel all' }, author, { machineId: machine, cancelId: 'bulk-1', after: first, through: third }),
        );
        const rows = await store.db.selectFrom('code_history').selectAll().orderBy('pickup_code_id').execute();
        assert.deepEqual(rows.map(columns), [
          [second, 'cancel', 'UNUSED', 'CANCELLED', 'merchant:3', 'r-9', 'cancel all', 1234],
          [third, 'cancel', 'UNUSED', 'CANCELLED', 'merchant:3', 'r-9', 'cancel all', 1234],
        ]);
        assert.ok(beyond > third);
        await store.write(AUTHOR, ({ trx, author }) => history.recordForMarked(trx, { action: 'cancel', from: 'UNUSED', to: 'CANCELLED' }, author, { machineId: machine, cancelId: 'bulk-1', after: third, through: beyond }));
        assert.deepEqual(columns((await history.ofCode(store.db, beyond))[0]!), [beyond, 'cancel', 'UNUSED', 'CANCELLED', 'merchant:3', 'r-9', null, 1234]);
      }));

    it('ofCode lists that code\'s rows alone, oldest first', () =>
      withFreshStore(kind, async (store) => {
        const entry = (codeId: number, action: 'create' | 'consume') => ({ codeId, action, from: null, to: 'UNUSED' as const });
        await store.write(AUTHOR, ({ trx, author }) => history.record(trx, [entry(7, 'create'), entry(8, 'create'), entry(7, 'consume')], author));
        assert.deepEqual((await history.ofCode(store.db, 7)).map((row) => row.action), ['create', 'consume']);
      }));
  });
}
