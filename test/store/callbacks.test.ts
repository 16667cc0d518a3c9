/** callbacks.repository.ts: the queue: what is queued, which callbacks a claim takes, what an attempt records (issue 25). */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import * as callbacks from '../../src/store/repositories/callbacks.repository.js';
import type { Store } from '../../src/store/store.js';
import { BY_TEST, storeKinds } from '../helpers/stores.js';
import { queue, setRow, withStore } from './fleet-fixtures.js';

const claimDue = (store: Store, now: number, limit: number) => store.write(BY_TEST, ({ trx }) => callbacks.claimDue(trx, now, now + 30, 'tok', limit));

for (const kind of storeKinds()) {
  describe(`callbacks repository: the queue [${kind.name}]`, { skip: kind.skip }, () => {
    it('enqueue stores the callback pending, due at once, and tells the change it queued a callback', () =>
      withStore(kind, async (store) => {
        let queued: boolean | undefined;
        const id = await store.write(BY_TEST, async (work) => {
          const made = await callbacks.enqueue(work, { merchantId: 3, kind: 'notify', eventId: 'ev-1', eventType: 'order.delivered', url: 'https://example.com/n', body: '{"a":1}', orderId: 11, recordId: 12, deliveryId: 13, now: 500 });
          queued = work.queued.callbacks;
          return made;
        });
        assert.equal(queued, true);
        assert.equal(id, 1);
        assert.deepEqual(await store.db.selectFrom('callbacks').selectAll().execute(), [
          {
            id: 1,
            merchant_id: 3,
            kind: 'notify',
            event_id: 'ev-1',
            event_type: 'order.delivered',
            url: 'https://example.com/n',
            body: '{"a":1}',
            order_id: 11,
            record_id: 12,
            delivery_id: 13,
            state: 'pending',
            attempts: 0,
            scheduled_from: 500,
            next_attempt_at: 500,
            claimed_until: null,
            claim_token: null,
            created_at: 500,
            finished_at: null,
          },
        ]);
      }));

    it('claimDue takes the callbacks due at or before now, oldest due first, at most `limit`, holding them until `until`', () =>
      withStore(kind, async (store) => {
        const late = await queue(store, 100);
        const edge = await queue(store, 100);
        const early = await queue(store, 98);
        const future = await queue(store, 101);
        // The statement's answer comes in no set order: sorted by id here.
        const claimed = (await claimDue(store, 100, 2)).sort((a, b) => a.id - b.id);
        assert.deepEqual(claimed.map((row) => [row.id, row.claimed_until, row.claim_token]), [
          [late, 130, 'tok'],
          [early, 130, 'tok'],
        ]);
        assert.deepEqual((await claimDue(store, 100, 5)).map((row) => row.id), [edge]);
        assert.deepEqual(await claimDue(store, 100, 5), []);
        assert.deepEqual((await claimDue(store, 101, 5)).map((row) => row.id), [future]);
      }));

    it('claimDue takes a callback whose claim ended at or before now, and leaves one still held or no longer pending', () =>
      withStore(kind, async (store) => {
        const ended = await queue(store, 10);
        const endsNow = await queue(store, 10);
        const held = await queue(store, 10);
        const delivered = await queue(store, 10);
        await setRow(store, ended, { claimed_until: 99, claim_token: 'old' });
        await setRow(store, endsNow, { claimed_until: 100, claim_token: 'old' });
        await setRow(store, held, { claimed_until: 101, claim_token: 'old' });
        await setRow(store, delivered, { state: 'delivered' });
        assert.deepEqual((await claimDue(store, 100, 10)).map((row) => row.id).sort((a, b) => a - b), [ended, endsNow]);
        const tokens = await store.db.selectFrom('callbacks').select(['claim_token', 'claimed_until']).orderBy('id').execute();
        assert.deepEqual(tokens, [
          { claim_token: 'tok', claimed_until: 130 },
          { claim_token: 'tok', claimed_until: 130 },
          { claim_token: 'old', claimed_until: 101 },
          { claim_token: null, claimed_until: null },
        ]);
      }));

    it('claim takes that one callback under the same rule; nothing when it is held or not due', () =>
      withStore(kind, async (store) => {
        const due = await queue(store, 100);
        const notDue = await queue(store, 101);
        const claim = (id: number, now: number) => store.write(BY_TEST, ({ trx }) => callbacks.claim(trx, id, now, now + 30, `tok-${now}`));
        const taken = await claim(due, 100);
        assert.deepEqual([taken?.id, taken?.claimed_until, taken?.claim_token], [due, 130, 'tok-100']);
        assert.equal(await claim(due, 129), undefined);
        assert.equal((await claim(due, 130))?.claim_token, 'tok-130');
        assert.equal(await claim(notDue, 100), undefined);
        const rows = await store.db.selectFrom('callbacks').select(['claim_token']).orderBy('id').execute();
        assert.deepEqual(rows, [{ claim_token: 'tok-130' }, { claim_token: null }]);
      }));

    it('finishAttempt under the claim records the attempt, counts it, sets the state and lets go of the claim', () =>
      withStore(kind, async (store) => {
        const id = await queue(store, 100);
        await setRow(store, id, { attempts: 2, claimed_until: 130, claim_token: 'tok' });
        const done = await store.write(BY_TEST, ({ trx }) =>
          callbacks.finishAttempt(trx, { id, attempts: 2 }, 'tok', { startedAt: 101, latencyMs: 40, httpStatus: 500, error: null, state: 'pending', nextAttemptAt: 160, finishedAt: null }),
        );
        assert.equal(done, true);
        const row = await store.db.selectFrom('callbacks').select(['attempts', 'state', 'next_attempt_at', 'finished_at', 'claimed_until', 'claim_token']).executeTakeFirstOrThrow();
        assert.deepEqual(row, { attempts: 3, state: 'pending', next_attempt_at: 160, finished_at: null, claimed_until: null, claim_token: null });
        assert.deepEqual(await store.db.selectFrom('callback_attempts').selectAll().execute(), [
          { id: 1, callback_id: id, attempt: 3, started_at: 101, latency_ms: 40, http_status: 500, error: null, outcome: 'retry' },
        ]);
      }));

    it('finishAttempt records delivered and failed outcomes, and keeps the due time when no next attempt is given', () =>
      withStore(kind, async (store) => {
        const first = await queue(store, 100);
        const second = await queue(store, 100);
        await setRow(store, first, { claim_token: 'a', claimed_until: 130 });
        await setRow(store, second, { claim_token: 'b', claimed_until: 130 });
        await store.write(BY_TEST, async ({ trx }) => {
          await callbacks.finishAttempt(trx, { id: first, attempts: 0 }, 'a', { startedAt: 101, latencyMs: 5, httpStatus: 200, error: null, state: 'delivered', nextAttemptAt: null, finishedAt: 102 });
          await callbacks.finishAttempt(trx, { id: second, attempts: 0 }, 'b', { startedAt: 103, latencyMs: 6, httpStatus: null, error: 'refused', state: 'failed', nextAttemptAt: null, finishedAt: 104 });
        });
        const rows = await store.db.selectFrom('callbacks').select(['state', 'next_attempt_at', 'finished_at']).orderBy('id').execute();
        assert.deepEqual(rows, [
          { state: 'delivered', next_attempt_at: 100, finished_at: 102 },
          { state: 'failed', next_attempt_at: 100, finished_at: 104 },
        ]);
        const attempts = await store.db.selectFrom('callback_attempts').select(['callback_id', 'attempt', 'http_status', 'error', 'outcome']).orderBy('id').execute();
        assert.deepEqual(attempts, [
          { callback_id: first, attempt: 1, http_status: 200, error: null, outcome: 'delivered' },
          { callback_id: second, attempt: 1, http_status: null, error: 'refused', outcome: 'failed' },
        ]);
      }));

    it('finishAttempt with a lost claim writes nothing and answers false', () =>
      withStore(kind, async (store) => {
        const id = await queue(store, 100);
        await setRow(store, id, { claim_token: 'theirs', claimed_until: 130 });
        const done = await store.write(BY_TEST, ({ trx }) =>
          callbacks.finishAttempt(trx, { id, attempts: 0 }, 'mine', { startedAt: 101, latencyMs: 5, httpStatus: 200, error: null, state: 'delivered', nextAttemptAt: null, finishedAt: 102 }),
        );
        assert.equal(done, false);
        assert.deepEqual(await store.db.selectFrom('callbacks').select(['attempts', 'state', 'claim_token']).execute(), [{ attempts: 0, state: 'pending', claim_token: 'theirs' }]);
        assert.deepEqual(await store.db.selectFrom('callback_attempts').selectAll().execute(), []);
      }));

    it("requeue makes the callback pending again now with a fresh schedule, keeps a claim in hand, and only the merchant's", () =>
      withStore(kind, async (store) => {
        const before = await queue(store, 10);
        const target = await queue(store, 10, { merchantId: 2 });
        const after = await queue(store, 10);
        await setRow(store, target, { state: 'failed', finished_at: 50, claim_token: 'held', claimed_until: 400 });
        await setRow(store, before, { state: 'failed', finished_at: 50 });
        await setRow(store, after, { state: 'failed', finished_at: 50 });
        const requeue = (merchantId?: number) =>
          store.write(BY_TEST, async (work) => {
            const found = await callbacks.requeue(work, target, 300, merchantId);
            return [found, work.queued.callbacks];
          });
        assert.deepEqual(await requeue(1), [false, true]);
        assert.deepEqual(await requeue(2), [true, true]);
        const rows = await store.db.selectFrom('callbacks').select(['state', 'scheduled_from', 'next_attempt_at', 'finished_at', 'claim_token']).orderBy('id').execute();
        assert.deepEqual(rows, [
          { state: 'failed', scheduled_from: 10, next_attempt_at: 10, finished_at: 50, claim_token: null },
          { state: 'pending', scheduled_from: 300, next_attempt_at: 300, finished_at: null, claim_token: 'held' },
          { state: 'failed', scheduled_from: 10, next_attempt_at: 10, finished_at: 50, claim_token: null },
        ]);
        assert.equal(await store.write(BY_TEST, (work) => callbacks.requeue(work, after + 1, 300)), false);
        await setRow(store, target, { state: 'failed' });
        assert.equal(await store.write(BY_TEST, (work) => callbacks.requeue(work, target, 310)), true);
      }));
  });
}
