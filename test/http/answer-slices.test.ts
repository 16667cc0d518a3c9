/**
 * A long answer (a create of 100,000 codes) is made a slice at a time so that other
 * requests are served meanwhile; its text must be exactly the one made in one go.
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { mapInSlices, successAnswer, successAnswerInSlices } from '../../src/http/reply.js';

const codes = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ id: i + 1, code: String(100000 + i), expired_at: i % 3 === 0 ? '' : '2026-12-01 00:00:00', quantity: i % 2, flags: [] }));

describe('answers made in slices', () => {
  it('a long list answers the same text, zero values left out, keys in their order', async () => {
    const data = { before: 'x', codes: codes(5_001), after: 0, tail: [1, 2] };
    const sliced = await successAnswerInSlices(data);
    assert.equal(sliced.text, successAnswer(data).text);
    assert.equal(sliced.code, 0);
    assert.equal(JSON.parse(sliced.text).data.codes.length, 5_001);
  });

  it('short lists, lists of lists and data that is a list answer as successAnswer does', async () => {
    for (const data of [{ codes: codes(3) }, { codes: [] }, [1, 2, 3], { count: 0 }, null]) {
      assert.equal((await successAnswerInSlices(data)).text, successAnswer(data).text);
    }
  });

  it('other work runs between the slices of a long list, and the mapping keeps the order', async () => {
    let otherWorkRan = false;
    setImmediate(() => (otherWorkRan = true));
    const views = await mapInSlices(codes(10_000), (code) => code.id);
    assert.ok(otherWorkRan, 'a turn of the event loop passed during the mapping');
    assert.deepEqual(views, Array.from({ length: 10_000 }, (_, i) => i + 1));
  });
});
