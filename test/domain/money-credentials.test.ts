/** Money on the wire (two decimals, integer cents inside) and the secrets merchants and machines hold. */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { formatCents, parseCents } from '../../src/domain/money.js';
import { generateAppid, generateSecret, hashSecret, isAppid, isSecretHash, secretMatches } from '../../src/domain/credentials.js';

describe('money', () => {
  it('parses whole units, one and two decimals into cents', () => {
    assert.equal(parseCents('3'), 300);
    assert.equal(parseCents('3.5'), 350);
    assert.equal(parseCents('3.05'), 305);
    assert.equal(parseCents('0.01'), 1);
    assert.equal(parseCents('999999999.99'), 99_999_999_999);
  });
  it('refuses more than two decimals, more than 9 whole digits, signs and stray text', () => {
    for (const text of ['3.505', '1234567890', '-1', '+1', '1.', '.5', 'a1', '1a', '']) assert.equal(parseCents(text), undefined, text);
  });
  it('formats cents with exactly two decimals', () => {
    assert.equal(formatCents(350), '3.50');
    assert.equal(formatCents(305), '3.05');
    assert.equal(formatCents(5), '0.05');
    assert.equal(formatCents(0), '0.00');
    assert.equal(formatCents(123_456), '1234.56');
  });
});

describe('credentials', () => {
  it('a secret is 32 letters and digits by default, or the length asked for', () => {
    assert.match(generateSecret(), /^[A-Za-z0-9]{32}$/);
    assert.match(generateSecret(8), /^[A-Za-z0-9]{8}$/);
    assert.notEqual(generateSecret(), generateSecret());
  });
  it('a secret draws on the whole alphabet: upper, lower and digits all appear', () => {
    const drawn = generateSecret(2000);
    assert.match(drawn, /[A-Z]/);
    assert.match(drawn, /[a-z]/);
    assert.match(drawn, /[0-9]/);
    assert.equal(new Set(drawn).size, 62);
  });
  it('an appid is ds and 16 lowercase hex characters', () => {
    assert.match(generateAppid(), /^ds[0-9a-f]{16}$/);
    assert.notEqual(generateAppid(), generateAppid());
  });
  it('a secret is stored as its sha256 digest, labelled', () => {
    assert.equal(hashSecret('abc'), 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it('only the secret whose digest is stored matches', () => {
    const stored = 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    assert.equal(secretMatches('abc', stored), true);
    assert.equal(secretMatches('abd', stored), false);
    assert.equal(secretMatches('abc', 'sha256:short'), false);
  });
});

describe('credentials an import brings', () => {
  it('an Appid is 1 to 64 letters, digits, _ or -', () => {
    assert.deepEqual(['a', 'ds_0123-ABC', 'x'.repeat(64), '', 'x'.repeat(65), 'a b', 'a!', '!a', 'é'].map(isAppid), [true, true, true, false, false, false, false, false, false]);
  });
  it('a stored secret hash is sha256: and 64 lowercase hex digits, as hashSecret writes it', () => {
    assert.equal(isSecretHash(hashSecret('s')), true);
    const hex = 'a'.repeat(64);
    assert.deepEqual([`sha256:${hex}`, `sha256:${hex}0`, `x sha256:${hex}`, `sha256:${'A'.repeat(64)}`, `sha256:${'g'.repeat(64)}`, 'sha256:a', `sha1:${hex}`].map(isSecretHash), [true, false, false, false, false, false, false]);
  });
});
