import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { computeSign, signatureBase, verifySignature } from '../../src/protocol/signature.js';

describe('signature (PROTOCOL.md §2)', () => {
  const fields = { a: '2', b: '3', timestamp: '1718180788' };

  it('signs the documented vector', () => {
    assert.equal(signatureBase(fields, 'abc'), 'a=2&b=3&timestamp=1718180788&key=abc');
    assert.equal(computeSign(fields, 'abc'), '8BD7FD74204B0204CBF365F20287D436');
  });

  it('ignores empty and null fields', () => {
    assert.equal(computeSign({ ...fields, c: '' }, 'abc'), '8BD7FD74204B0204CBF365F20287D436');
    assert.equal(computeSign({ ...fields, c: null }, 'abc'), '8BD7FD74204B0204CBF365F20287D436');
  });

  it('ignores the sign field itself', () => {
    assert.equal(computeSign({ ...fields, sign: 'ANYTHING' }, 'abc'), '8BD7FD74204B0204CBF365F20287D436');
  });

  it('orders keys by byte value, case-sensitively, whatever the insertion order', () => {
    assert.equal(signatureBase({ b: '1', B: '2', a: '3', _x: '4' }, 'k'), 'B=2&_x=4&a=3&b=1&key=k');
    assert.equal(computeSign({ timestamp: '1718180788', b: '3', a: '2' }, 'abc'), '8BD7FD74204B0204CBF365F20287D436');
  });

  it('accepts lowercase hex and refuses any other difference', () => {
    const verify = (key: string, sign: string) => verifySignature({ ...fields, sign }, key);
    assert.deepEqual(verify('abc', '8bd7fd74204b0204cbf365f20287d436'), { form: 'raw', sign: '8BD7FD74204B0204CBF365F20287D436' });
    assert.equal(verify('abc', '8BD7FD74204B0204CBF365F20287D437'), undefined);
    assert.equal(verify('abd', '8BD7FD74204B0204CBF365F20287D436'), undefined);
    assert.equal(verify('abc', '8BD7FD74204B0204CBF365F20287D43'), undefined);
    assert.equal(verify('abc', ''), undefined);
    assert.equal(verifySignature(fields, 'abc'), undefined);
  });

  it('hashes UTF-8 bytes, so non-ASCII values sign the same as in Go and PHP', () => {
    // Reference value: Python's hashlib.md5 over the UTF-8 bytes of "name=取货&key=k".
    assert.equal(signatureBase({ name: '取货' }, 'k'), 'name=取货&key=k');
    assert.equal(computeSign({ name: '取货' }, 'k'), '2BC00E729AAC1CC63DA18D6C2D625653');
  });
});
