/**
 * code-changes.repository.ts: what a change of codes writes besides the codes — its history
 * rows by the Work's author and its pushes to the machine — and the cancel of one code that
 * writes them only when its conditional UPDATE matched.
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import type { Change } from '../../src/domain/pickup-codes.js';
import * as codeChanges from '../../src/store/repositories/code-changes.repository.js';
import type { Author, Store } from '../../src/store/store.js';
import { storeKinds, withFreshStore } from '../helpers/stores.js';
import { addCode, codeRow, twoMachines } from './repository-fixtures.js';

const AUTHOR: Author = { actor: 'merchant:3', requestId: 'r-9', at: 1234 };
const MARK = { at: 1234, by: 'merchant:3', cancelId: 'c-1' };

const historyOf = (store: Store) =>
  store.db.selectFrom('code_history').select(['pickup_code_id', 'action', 'from_status', 'to_status', 'actor', 'request_id', 'detail', 'at']).orderBy('id').execute();
const pushes = (store: Store) => store.db.selectFrom('outbox').select(['machine_id', 'method', 'body', 'created_at']).orderBy('id').execute();

const deleted = (codeId: number) => ({ method: 'client.pickup_codes.delete', fields: { id: String(codeId) } });

for (const kind of storeKinds()) {
  describe(`code-changes repository [${kind.name}]`, { skip: kind.skip }, () => {
    it('recordChange of one code writes its history row by the author and its push at the Work\'s clock, and tells the Work', () =>
      withFreshStore(kind, async (store) => {
        const { machine } = await twoMachines(store);
        const change: Change = { history: [{ codeId: 5, action: 'cancel', from: 'UNUSED', to: 'CANCELLED', detail: 'why' }], messages: [deleted(5)] };
        const queued = await store.write(AUTHOR, async (work) => {
          await codeChanges.recordChange(work, machine, change);
          return work.queued.pushes;
        });
        assert.equal(queued, true);
        assert.deepEqual(await historyOf(store), [{ pickup_code_id: 5, action: 'cancel', from_status: 'UNUSED', to_status: 'CANCELLED', actor: 'merchant:3', request_id: 'r-9', detail: 'why', at: 1234 }]);
        assert.deepEqual(await pushes(store), [{ machine_id: machine, method: 'client.pickup_codes.delete', body: '{"id":"5"}', created_at: 1234 }]);
      }));

    it('recordChange with no message writes the history alone and queues no push', () =>
      withFreshStore(kind, async (store) => {
        const { machine } = await twoMachines(store);
        const queued = await store.write(AUTHOR, async (work) => {
          await codeChanges.recordChange(work, machine, { history: [{ codeId: 6, action: 'conflict', from: 'USED', to: 'USED' }], messages: [] });
          return work.queued.pushes;
        });
        assert.equal(queued, false);
        assert.deepEqual(await historyOf(store), [{ pickup_code_id: 6, action: 'conflict', from_status: 'USED', to_status: 'USED', actor: 'merchant:3', request_id: 'r-9', detail: null, at: 1234 }]);
        assert.deepEqual(await pushes(store), []);
      }));

    it('recordChange of several codes writes every history row and every push, in order', () =>
      withFreshStore(kind, async (store) => {
        const { machine } = await twoMachines(store);
        const change: Change = {
          history: [7, 8].map((codeId) => ({ codeId, action: 'create' as const, from: null, to: 'UNUSED' as const })),
          messages: [deleted(7), deleted(8)],
        };
        await store.write(AUTHOR, (work) => codeChanges.recordChange(work, machine, change));
        assert.deepEqual((await historyOf(store)).map((row) => [row.pickup_code_id, row.action, row.from_status, row.at]), [
          [7, 'create', null, 1234],
          [8, 'create', null, 1234],
        ]);
        assert.deepEqual((await pushes(store)).map((row) => row.body), ['{"id":"7"}', '{"id":"8"}']);
      }));

    it('recordChange of more than 500 codes lets the event loop serve others between its chunks of history rows', () =>
      withFreshStore(kind, async (store) => {
        const { machine } = await twoMachines(store);
        const history = Array.from({ length: 1001 }, (_, index) => ({ codeId: index + 1, action: 'cancel' as const, from: 'UNUSED' as const, to: 'CANCELLED' as const }));
        let turns = 0;
        let spinning = true;
        const spin = () => {
          if (!spinning) return;
          turns++;
          setImmediate(spin);
        };
        const during = await store.write(AUTHOR, async (work) => {
          setImmediate(spin);
          const before = turns;
          await codeChanges.recordChange(work, machine, { history, messages: [] });
          return turns - before;
        });
        spinning = false;
        assert.ok(during >= 2, `the loop turned ${during} times during the change`);
        assert.equal((await historyOf(store)).length, 1001);
      }));

    it('cancelIfUnused cancels an UNUSED code of the machine and writes its history row and push', () =>
      withFreshStore(kind, async (store) => {
        const { machine, product } = await twoMachines(store);
        const id = await addCode(store, machine, product);
        const change: Change = { history: [{ codeId: id, action: 'cancel', from: 'UNUSED', to: 'CANCELLED' }], messages: [deleted(id)] };
        const [done, queued] = await store.write(AUTHOR, async (work) => [await codeChanges.cancelIfUnused(work, machine, id, MARK, change), work.queued.pushes]);
        assert.deepEqual([done, queued], [true, true]);
        const row = await codeRow(store, id);
        assert.deepEqual([row.status, row.cancelled_at, row.cancelled_by, row.cancel_request_id], ['CANCELLED', 1234, 'merchant:3', 'c-1']);
        assert.deepEqual(await historyOf(store), [{ pickup_code_id: id, action: 'cancel', from_status: 'UNUSED', to_status: 'CANCELLED', actor: 'merchant:3', request_id: 'r-9', detail: null, at: 1234 }]);
        assert.deepEqual(await pushes(store), [{ machine_id: machine, method: 'client.pickup_codes.delete', body: `{"id":"${id}"}`, created_at: 1234 }]);
      }));

    it('cancelIfUnused of a code not UNUSED, or of another machine, is false and writes nothing', () =>
      withFreshStore(kind, async (store) => {
        const { machine, other, product, otherProduct } = await twoMachines(store);
        const used = await addCode(store, machine, product, { status: 'USED' });
        const elsewhere = await addCode(store, other, otherProduct);
        for (const id of [used, elsewhere]) {
          const change: Change = { history: [{ codeId: id, action: 'cancel', from: 'UNUSED', to: 'CANCELLED' }], messages: [deleted(id)] };
          const [done, queued] = await store.write(AUTHOR, async (work) => [await codeChanges.cancelIfUnused(work, machine, id, MARK, change), work.queued.pushes]);
          assert.deepEqual([done, queued], [false, false]);
        }
        assert.deepEqual([(await codeRow(store, used)).status, (await codeRow(store, elsewhere)).status], ['USED', 'UNUSED']);
        assert.deepEqual(await historyOf(store), []);
        assert.deepEqual(await pushes(store), []);
      }));
  });
}
