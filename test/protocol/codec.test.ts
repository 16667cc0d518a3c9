/** The payload codec, wall times, the webhook signature header and the envelope: each rule with literal inputs and outputs. */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { decodeBase64Text, decodePayload, encodeBase64Text, encodeSignedPayload, textFields } from '../../src/protocol/payload.js';
import { formatWallDay, formatWallTime, parseWallTime } from '../../src/protocol/time.js';
import { constantTimeEqual, parseWebhookSignature, webhookDigest, webhookSignature } from '../../src/protocol/webhook-signature.js';
import { failure, omitEmpty, success } from '../../src/protocol/envelope.js';
import { ApiError } from '../../src/protocol/errors.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

function refused(call: () => unknown, code: number, detail: string) {
  assert.throws(call, (error: { code?: number; detail?: string }) => {
    assert.equal(error.code, code);
    assert.equal(error.detail, detail);
    return true;
  });
}

describe('the payload codec', () => {
  it('decodes standard and URL-safe base64, with or without padding, whitespace ignored', () => {
    assert.equal(decodeBase64Text(b64('a>?b')), 'a>?b');
    assert.equal(decodeBase64Text('YT4/Yg=='), 'a>?b');
    assert.equal(decodeBase64Text('YT4_Yg'), 'a>?b');
    assert.equal(decodeBase64Text('Pj4-'), '>>>');
    assert.equal(decodeBase64Text(' YT4/\nYg== '), 'a>?b');
  });
  it('refuses text that is not base64, a length no base64 has, and bytes that are not UTF-8', () => {
    refused(() => decodeBase64Text('a*b='), 400, 'payload is not base64');
    refused(() => decodeBase64Text('YWJjZ'), 400, 'payload is not base64');
    refused(() => decodeBase64Text('YT4/Yg==='), 400, 'payload is not base64');
    refused(() => decodeBase64Text('=YT4'), 400, 'payload is not base64');
    refused(() => decodeBase64Text('YT4/Yg==x'), 400, 'payload is not base64');
    refused(() => decodeBase64Text('/w=='), 400, 'payload is not UTF-8');
  });
  it('encodes UTF-8 text as standard base64', () => {
    assert.equal(encodeBase64Text('取货码'), '5Y+W6LSn56CB');
    assert.equal(encodeBase64Text(''), '');
  });
  it('decodes a JSON object: numbers become text, null stays null, nested members are kept', () => {
    assert.deepEqual(decodePayload(b64('{"a":"x","n":12.5,"z":null,"o":{"b":1},"l":[1,"2"]}')), { a: 'x', n: '12.5', z: null, o: { b: '1' }, l: ['1', '2'] });
  });
  it('refuses what is not JSON, or JSON that is not an object', () => {
    refused(() => decodePayload(b64('{"a":')), 400, 'payload is not JSON');
    for (const json of ['[1]', '"a"', 'null', '1']) refused(() => decodePayload(b64(json)), 400, 'payload is not a JSON object');
    refused(() => decodePayload('***'), 400, 'payload is not base64');
  });
  it('refuses booleans, NUL and too deep nesting naming the field by its path', () => {
    refused(() => decodePayload(b64('{"a":true}')), 10001, 'a must be a string');
    refused(() => decodePayload(b64('{"a":{"b":[false]}}')), 10001, 'a[b][0] must be a string');
    refused(() => decodePayload(b64('{"a":"x\\u0000"}')), 10001, 'a must not contain NUL');
    refused(() => decodePayload(b64(`{"a":${'['.repeat(9)}${']'.repeat(9)}}`)), 10001, 'a[0][0][0][0][0][0][0][0] is nested too deeply');
    assert.deepEqual(decodePayload(b64(`{"a":${'['.repeat(8)}${']'.repeat(8)}}`)), { a: [[[[[[[[]]]]]]]] });
  });
  it('a __proto__ member is an own field, never the prototype', () => {
    const payload = decodePayload(b64('{"__proto__":{"polluted":"1"}}'));
    assert.deepEqual(Object.keys(payload), ['__proto__']);
    assert.equal((payload as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(payload), Object.prototype);
  });
  it('textFields keeps only the string fields', () => {
    assert.deepEqual(textFields({ a: 'x', b: null, c: { d: '1' }, e: ['1'] }), { a: 'x' });
  });
  it('a signed payload carries the present fields and their sign, leaving out undefined and null', () => {
    const decoded = JSON.parse(Buffer.from(encodeSignedPayload({ b: '2', a: '1', gone: undefined, none: null } as never, 'key'), 'base64').toString('utf8'));
    assert.deepEqual(Object.keys(decoded).sort(), ['a', 'b', 'sign']);
    assert.equal(decoded.a, '1');
    assert.match(decoded.sign, /^[0-9a-f]{32}$/i);
  });
});

describe('wall times', () => {
  it('formats Unix seconds as YYYY-MM-DD HH:mm:ss in the zone, Shanghai by default', () => {
    assert.equal(formatWallTime(0), '1970-01-01 08:00:00');
    assert.equal(formatWallTime(0, 'UTC'), '1970-01-01 00:00:00');
    assert.equal(formatWallTime(1_893_456_000 - 1, 'UTC'), '2029-12-31 23:59:59');
    assert.equal(formatWallTime(-62_135_596_800 + 86_400 * 10, 'UTC'), '0001-01-11 00:00:00');
    assert.equal(formatWallDay(1_893_456_000 - 1), '2030-01-01');
    assert.equal(formatWallDay(1_893_456_000 - 1, 'UTC'), '2029-12-31');
  });
  it('parses a wall time in the zone, Shanghai by default', () => {
    assert.equal(parseWallTime('2030-01-01 08:00:00'), 1_893_456_000);
    assert.equal(parseWallTime('2030-01-01 00:00:00', 'UTC'), 1_893_456_000);
    assert.equal(parseWallTime('2029-12-31 23:59:59', 'UTC'), 1_893_455_999);
  });
  it('refuses malformed text and moments no calendar has', () => {
    for (const text of ['2030-01-01T00:00:00', '2030-1-01 00:00:00', ' 2030-01-01 00:00:00', '2030-01-01 00:00:00 ', '2024-02-30 00:00:00', '2030-13-01 00:00:00', '2030-01-01 24:00:00', '2030-01-01 23:60:00', '2030-01-01 23:59:60']) {
      assert.equal(parseWallTime(text, 'UTC'), undefined, text);
    }
    assert.equal(parseWallTime('2024-02-29 23:59:59', 'UTC'), 1_709_251_199);
  });
  it('finds the offset in force at that moment, both sides of a DST change; a time in the spring gap lands an hour on', () => {
    assert.equal(parseWallTime('2024-07-01 12:00:00', 'Europe/Berlin'), 1_719_828_000);
    assert.equal(parseWallTime('2024-01-01 12:00:00', 'Europe/Berlin'), 1_704_106_800);
    // 02:30 on 2024-03-31 does not exist in Berlin: it lands an hour on, at 03:30 (01:30 UTC).
    assert.equal(parseWallTime('2024-03-31 02:30:00', 'Europe/Berlin'), 1_711_848_600);
    assert.equal(formatWallTime(1_711_848_600, 'Europe/Berlin'), '2024-03-31 03:30:00');
  });
});

describe('the webhook signature', () => {
  it('is t=<seconds>,v1=<hex HMAC-SHA256 of "t.body"> keyed by the secret', () => {
    assert.equal(webhookDigest('whsec', 100, '{"a":1}'), 'b41ee0993b630999bc92450d98d482b9158020bd66477124c05980dee5b5651a');
    assert.equal(webhookSignature('whsec', 100, '{"a":1}'), 't=100,v1=b41ee0993b630999bc92450d98d482b9158020bd66477124c05980dee5b5651a');
  });
  it('parses t and every v1, spaces allowed; a header without t or a well-formed v1 is malformed', () => {
    const v1 = 'a'.repeat(64);
    const v2 = 'b'.repeat(64);
    assert.deepEqual(parseWebhookSignature(`t=100,v1=${v1}`), { timestamp: 100, digests: [v1] });
    assert.deepEqual(parseWebhookSignature(` t=100 , v1=${v1}, v1=${v2}, v0=x`), { timestamp: 100, digests: [v1, v2] });
    assert.deepEqual(parseWebhookSignature(`t=999999999999,v1=${v1}`), { timestamp: 999_999_999_999, digests: [v1] });
    for (const value of [`v1=${v1}`, 't=100', `t=1000000000000,v1=${v1}`, `t=x100,v1=${v1}`, `t=100x,v1=${v1}`, `t=100,v1=${'A'.repeat(64)}`, `t=100,v1=${'a'.repeat(63)}`, `t=100,v1=${'a'.repeat(65)}`, `t=100,v1=x${'a'.repeat(64)}`, `t,v1=${v1}`, `t=100,v1`, '']) {
      assert.equal(parseWebhookSignature(value), undefined, value);
    }
  });
  it('constantTimeEqual is true only for the same string', () => {
    assert.equal(constantTimeEqual('abcd', 'abcd'), true);
    assert.equal(constantTimeEqual('abcd', 'abce'), false);
    assert.equal(constantTimeEqual('abcd', 'xbcd'), false);
    assert.equal(constantTimeEqual('abcd', 'abc'), false);
    assert.equal(constantTimeEqual('', ''), true);
  });
});

describe('the envelope', () => {
  it('a success is code 0, message ok (the original’s), and the data', () => {
    assert.deepEqual(success({ a: 1 }), { code: 0, message: 'ok', data: { a: 1 } });
  });
  it('a failure carries the error’s code, message and data', () => {
    assert.deepEqual(failure(new ApiError(10001 as never, 'code must be 6 to 10 digits')), { code: 10001, message: '表单校验失败，请重新输入: code must be 6 to 10 digits', data: {} });
  });
  it('omitEmpty leaves out every zero value at every depth, and keeps a list a list', () => {
    assert.deepEqual(omitEmpty({ a: 0, b: '', c: null, d: false, e: [], f: {}, g: { h: { i: 0 } }, j: undefined, k: 1, l: 'x', m: true, n: [0, { o: '' }] }), { k: 1, l: 'x', m: true, n: [0, {}] });
    assert.deepEqual(omitEmpty([]), []);
    assert.deepEqual(omitEmpty([{ a: 0 }]), [{}]);
    assert.equal(omitEmpty(5), 5);
    assert.equal(omitEmpty(null), null);
  });
});
