/** The signature's edges with literal expectations: Go's ordering and number printing, `sign` left out, exact-length comparison. */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { computeSign, goPrintedNumber, signatureBase, signatureBaseIn, verifySignature } from '../../src/protocol/signature.js';

describe('the query-escaped form orders names as Go does (UTF-8 bytes)', () => {
  it('a name sorts before the longer names it begins', () => {
    assert.equal(signatureBaseIn('query-escaped', { ab: '1', a: '2' }, 'K'), 'a=2&ab=1&key=K');
  });
  it('U+E000 sorts before U+10000, and U+D7FF before U+E000, whatever order they came in', () => {
    assert.equal(signatureBaseIn('query-escaped', { '\u{10000}': '1', '\uE000': '2' }, 'K'), '%EE%80%80=2&%F0%90%80%80=1&key=K');
    assert.equal(signatureBaseIn('query-escaped', { '\uE000': '1', '\uD7FF': '2' }, 'K'), '%ED%9F%BF=2&%EE%80%80=1&key=K');
  });
});

describe('the raw form', () => {
  it('leaves the sign field, and absent and null fields, out of the text it hashes', () => {
    assert.equal(signatureBase({ a: '1', sign: 'x' }, 'K'), 'a=1&key=K');
    assert.equal(signatureBase({ a: '1', b: undefined, c: null, d: '' }, 'K'), 'a=1&key=K');
  });
  it('a request with a null field signed without it matches in the raw form', () => {
    assert.deepEqual(verifySignature({ a: '1', b: null, sign: 'EA3D702E18C9ADBB80DB27C87FBD612C' }, 'K'), { form: 'raw', sign: 'EA3D702E18C9ADBB80DB27C87FBD612C' });
  });
  it('a sign with anything appended does not match; the same sign in lowercase does', () => {
    assert.equal(computeSign({ a: '1' }, 'K'), 'EA3D702E18C9ADBB80DB27C87FBD612C');
    assert.equal(verifySignature({ a: '1', sign: 'EA3D702E18C9ADBB80DB27C87FBD612C0' }, 'K'), undefined);
    assert.deepEqual(verifySignature({ a: '1', sign: 'ea3d702e18c9adbb80db27c87fbd612c' }, 'K'), { form: 'raw', sign: 'EA3D702E18C9ADBB80DB27C87FBD612C' });
    assert.equal(verifySignature({ a: '1', sign: '' }, 'K'), undefined);
  });
});

describe('numbers as Go prints a float64 with %v', () => {
  it('infinities, NaN and the zeros', () => {
    assert.equal(goPrintedNumber(Infinity), '+Inf');
    assert.equal(goPrintedNumber(-Infinity), '-Inf');
    assert.equal(goPrintedNumber(NaN), 'NaN');
    assert.equal(goPrintedNumber(-0), '-0');
    assert.equal(goPrintedNumber(0), '0');
  });
  it('%e form from an exponent of 6 up or below -4, with at least two exponent digits', () => {
    assert.equal(goPrintedNumber(123456), '123456');
    assert.equal(goPrintedNumber(1e6), '1e+06');
    assert.equal(goPrintedNumber(1000001), '1.000001e+06');
    assert.equal(goPrintedNumber(1e21), '1e+21');
    assert.equal(goPrintedNumber(0.0001), '0.0001');
    assert.equal(goPrintedNumber(0.00001), '1e-05');
    assert.equal(goPrintedNumber(-2.5e-7), '-2.5e-07');
  });
});
