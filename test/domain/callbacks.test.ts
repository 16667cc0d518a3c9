/** The published retry schedule and the form of a callback's sign (docs/callbacks.md), without a database. */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { callbackSigningForm, GIVE_UP_AFTER_SECONDS, nextAttemptAt, RETRY_DELAYS_SECONDS } from '../../src/domain/callbacks.js';

describe('the retry schedule', () => {
  it('waits 15 s, 1 min, 5 min, 30 min, 2 h, 6 h after the 1st to 6th failure', () => {
    assert.deepEqual(RETRY_DELAYS_SECONDS, [15, 60, 300, 1800, 7200, 21600]);
    let now = 1000;
    const times: number[] = [];
    for (let failed = 1; failed <= 6; failed++) {
      now = nextAttemptAt(1000, failed, now)!;
      times.push(now - 1000);
    }
    assert.deepEqual(times, [15, 75, 375, 2175, 9375, 30975]);
  });

  it('repeats 6 h after that, and gives up once the next attempt would start more than 24 h after the queueing', () => {
    const queued = 0;
    let now = 30975;
    const later: number[] = [];
    for (let failed = 7; ; failed++) {
      const next = nextAttemptAt(queued, failed, now);
      if (next === undefined) break;
      later.push(next);
      now = next;
    }
    assert.deepEqual(later, [52575, 74175]);
    assert.ok(74175 + 21600 > GIVE_UP_AFTER_SECONDS);
    assert.equal(nextAttemptAt(queued, 9, 74175), undefined, 'then it has failed for good: 9 attempts in all');
  });

  it('counts from when it was queued or last re-sent by hand', () => {
    assert.equal(nextAttemptAt(100_000, 7, 100_000 + 80_000), undefined);
    assert.equal(nextAttemptAt(180_000, 1, 180_000), 180_015, 'a resend starts a fresh schedule');
  });
});

describe("the form of a callback's MD5 sign", () => {
  it('auto is the form of the latest signed request, raw before the merchant has sent one', () => {
    assert.equal(callbackSigningForm('auto', null), 'raw');
    assert.equal(callbackSigningForm('auto', 'query-escaped'), 'query-escaped');
    assert.equal(callbackSigningForm('auto', 'uri-encoded-twice'), 'uri-encoded-twice');
  });

  it('a form set by the operator holds whatever the requests', () => {
    assert.equal(callbackSigningForm('raw', 'query-escaped'), 'raw');
    assert.equal(callbackSigningForm('query-escaped', null), 'query-escaped');
  });
});
