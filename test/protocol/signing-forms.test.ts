/**
 * One verifier for every signing form a published client produces (issue 9): the raw form
 * of the docs, PHP and pansy <= v1.0.7; pansy >= v1.0.8's query-escaped form; kit.js's
 * form; and never a form that leaves part of the payload unsigned.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from '../helpers/node-test.js';
import { Signatory } from '@cakioe/kit.js';
import { ApiError } from '../../src/protocol/errors.js';
import { decodePayload, encodeBase64Text, type Payload } from '../../src/protocol/payload.js';
import { callbackSign, goPrintedNumber, onlyFormOf, signatureBaseIn, verifySignature, type SigningForm } from '../../src/protocol/signature.js';
import { signatureVectors, type SignatureVector as Vector } from '../helpers/signing.js';

const vectors = signatureVectors();

/** Each library's own form; PHP's and pansy v1.0.7's have no rule for a nested value. */
const LIBRARY_FORM: Record<string, SigningForm> = {
  'php dsjsdz/signatory': 'raw',
  'go go-pansy/pansy v1.0.7': 'raw',
  'go go-pansy/pansy v1.1.1': 'query-escaped',
  'js @cakioe/kit.js 1.5.2': 'uri-encoded-twice',
};
const TRIAL_ORDER: SigningForm[] = ['raw', 'query-escaped', 'uri-encoded-twice'];

const isNested = (vector: Vector) => Object.values(vector.fields).some((value) => typeof value === 'object' && value !== null);
const leavesContentUnsigned = (vector: Vector, library: string) => isNested(vector) && LIBRARY_FORM[library] === 'raw';

/** The form a library's sign must be reported in: the first form tried in which some library signed that very string. */
function expectedForm(vector: Vector, library: string): SigningForm | undefined {
  if (leavesContentUnsigned(vector, library)) return undefined;
  const sign = vector.signs[library];
  return TRIAL_ORDER.find((form) =>
    Object.entries(vector.signs).some(([other, otherSign]) => otherSign === sign && LIBRARY_FORM[other] === form && !leavesContentUnsigned(vector, other)),
  );
}

/** The payload as the server decodes it from the wire. */
function received(fields: Record<string, unknown>, sign: string): Payload {
  return decodePayload(encodeBase64Text(JSON.stringify({ ...fields, sign })));
}

describe('signing forms: the published libraries’ own signatures (test/fixtures/signature-vectors.json)', () => {
  for (const [index, vector] of vectors.entries()) {
    for (const [library, sign] of Object.entries(vector.signs)) {
      const form = expectedForm(vector, library);
      it(`vector ${index + 1}: ${library}'s sign is ${form ? `accepted in the ${form} form` : 'refused (part of the payload would go unsigned)'}`, () => {
        assert.equal(verifySignature(received(vector.fields, sign), vector.key)?.form, form);
      });
    }
  }

  it('every library is represented, and the nested vectors refuse exactly PHP and pansy v1.0.7', () => {
    for (const vector of vectors) assert.deepEqual(Object.keys(vector.signs).sort(), Object.keys(LIBRARY_FORM).sort());
    const refused = vectors.flatMap((vector) => Object.keys(vector.signs).filter((library) => expectedForm(vector, library) === undefined));
    assert.deepEqual([...new Set(refused)].sort(), ['go go-pansy/pansy v1.0.7', 'php dsjsdz/signatory']);
  });
});

describe('signing forms: how each is built', () => {
  it("query-escaped escapes names and values as Go's url.QueryEscape: only A-Z a-z 0-9 - _ . ~ stay, a space is +", () => {
    const payload = { 'a b': "x y+z!*'()~-_.:/?&=%", timestamp: '1' };
    assert.equal(signatureBaseIn('query-escaped', payload, 'k'), 'a+b=x+y%2Bz%21%2A%27%28%29~-_.%3A%2F%3F%26%3D%25&timestamp=1&key=k');
  });

  it("query-escaped orders names by UTF-8 bytes, as Go's sort.Strings does (U+FF61 before U+1F600)", () => {
    assert.equal(signatureBaseIn('query-escaped', { '\u{1F600}': '1', '\uFF61': '2' }, 'k'), '%EF%BD%A1=2&%F0%9F%98%80=1&key=k');
  });

  it('query-escaped flattens nested values as key[sub] and key[i]; Go prints null as <nil>', () => {
    const payload = decodePayload(encodeBase64Text(JSON.stringify({ a: { b: [1, null, ''] }, c: [] })));
    assert.equal(signatureBaseIn('query-escaped', payload, 'k'), 'a%5Bb%5D%5B0%5D=1&a%5Bb%5D%5B1%5D=%3Cnil%3E&key=k');
  });

  it('uri-encoded-twice encodes values twice and names once, sorts the k=v strings, and prints null as null', () => {
    assert.equal(signatureBaseIn('uri-encoded-twice', { at: '2030-12-31 23:59:59', n: null, 'x y': 'é' }, 'k'), 'at=2030-12-31%252023:59:59&n=null&x%20y=%25C3%25A9&key=k');
  });

  it('the raw form cannot sign a nested value: no base at all, whatever the sign', () => {
    assert.equal(signatureBaseIn('raw', { a: { b: '1' }, timestamp: '1' }, 'k'), undefined);
  });

  it('a leaf reading NULL, which kit.js and pansy leave out of their sign, cannot be verified in their forms', () => {
    const fields = { machine_no: '10000001', note: 'NULL', timestamp: '1714353655' };
    const kitSign = new Signatory('k').genSignature({ ...fields });
    assert.equal(verifySignature(received(fields, kitSign), 'k'), undefined);
    assert.equal(signatureBaseIn('query-escaped', fields, 'k'), undefined);
    assert.equal(signatureBaseIn('raw', fields, 'k'), 'machine_no=10000001&note=NULL&timestamp=1714353655&key=k');
  });

  it('a lone surrogate, which no encoder can have signed, is no match rather than a crash', () => {
    const payload = { note: 'a\uD800b', timestamp: '1', sign: '0'.repeat(32) };
    assert.equal(signatureBaseIn('query-escaped', payload, 'k'), undefined);
    assert.equal(signatureBaseIn('uri-encoded-twice', payload, 'k'), undefined);
    assert.equal(verifySignature(payload, 'k'), undefined);
  });

  it('a missing sign, or one that is not a string, matches nothing', () => {
    assert.equal(verifySignature({ a: '2', b: '3', timestamp: '1718180788' }, 'abc'), undefined);
    assert.equal(verifySignature({ a: '2', b: '3', timestamp: '1718180788', sign: ['8BD7FD74204B0204CBF365F20287D436'] }, 'abc'), undefined);
  });
});

describe("signing forms: kit.js's real Signatory", () => {
  const payloads: Array<Record<string, unknown>> = [
    { machine_no: '10000001', expired_at: '2030-12-31 23:59:59', count: 2, timestamp: '1714185061' },
    { note: 'café 取货 +1 50% a=b&c', tags: ['x y', 'z'], timestamp: '1714185061' },
    { device: { os: { name: 'debian 12', arch: 'x86_64' }, slots: [{ x: 1, y: 2 }] }, empty: '', timestamp: '1714185061' },
  ];
  for (const [index, fields] of payloads.entries()) {
    it(`payload ${index + 1}: its sign is accepted, and in its own form whenever that form signs a string of its own`, () => {
      const sign = new Signatory('42').genSignature(structuredClone(fields));
      const payload = received(fields, sign);
      const match = verifySignature(payload, '42');
      assert.ok(match, 'accepted');
      const own = signatureBaseIn('uri-encoded-twice', payload, '42');
      const earlier = TRIAL_ORDER.slice(0, 2).filter((form) => signatureBaseIn(form, payload, '42') === own);
      assert.equal(match.form, earlier[0] ?? 'uri-encoded-twice');
    });
  }
});

describe('payload decoding of nested values', () => {
  const decode = (value: unknown) => decodePayload(encodeBase64Text(typeof value === 'string' ? value : JSON.stringify(value)));
  /** `accepted`, or the 10001 the value gets; a JSON text is decoded as it is. */
  const refusal = (value: unknown) => {
    try {
      decode(value);
    } catch (error) {
      if (error instanceof ApiError) return `${error.code} ${error.message}`;
      throw error;
    }
    return 'accepted';
  };

  it('keeps objects and arrays, numbers as their decimal text, and null', () => {
    assert.deepEqual(decode({ a: { b: [1, 'x', null] }, c: null }), { a: { b: ['1', 'x', null] }, c: null });
  });

  it('refuses a boolean or a NUL anywhere with 10001 naming where it is', () => {
    assert.equal(refusal({ os: { ok: true } }), '10001 表单校验失败，请重新输入: os[ok] must be a string');
    assert.equal(refusal({ goods: [{ x: 'a\u0000' }] }), '10001 表单校验失败，请重新输入: goods[0][x] must not contain NUL');
  });

  it('refuses nesting deeper than 8 levels with 10001, however deep the JSON goes', () => {
    assert.equal(refusal({ a: [[[[[[[['ok']]]]]]]] }), 'accepted');
    assert.equal(refusal({ a: [[[[[[[[['deep']]]]]]]]] }), '10001 表单校验失败，请重新输入: a[0][0][0][0][0][0][0][0] is nested too deeply');
    assert.match(refusal(`{"a":${'['.repeat(30_000)}${']'.repeat(30_000)}}`), /^10001 .* is nested too deeply$/);
  });

  it('a __proto__ member stays a member: it lends no field to the payload', () => {
    const payload = decodePayload(encodeBase64Text('{"__proto__":{"machine_no":"10000001"},"timestamp":"1"}'));
    assert.equal(Object.getPrototypeOf(payload), Object.prototype);
    assert.equal((payload as Record<string, unknown>).machine_no, undefined);
    assert.deepEqual(Object.keys(payload), ['__proto__', 'timestamp']);
  });
});

describe("signing forms: a callback body's sign, with its numbers as each language prints them", () => {
  it("Go's %v of a decoded JSON number (go 1.19 printed these): e-notation from 10^6, and below 10^-4", () => {
    const printed = [0, 60, 999999, 1000000, 1000001, 1234567, 12345678901, 1e21, 0.0001, 0.00001, -1000000, 123456.5].map(goPrintedNumber);
    assert.deepEqual(printed, ['0', '60', '999999', '1e+06', '1.000001e+06', '1.234567e+06', '1.2345678901e+10', '1e+21', '0.0001', '1e-05', '-1e+06', '123456.5']);
  });

  it('query-escaped hashes order_id=1e%2B06; raw and uri-encoded-twice hash the digits', () => {
    const fields = { method: 'device.delivery.response', order_id: 1000000, error_msg: 'Goods are Stuck', timestamp: '1764400000' };
    const md5 = (text: string) => createHash('md5').update(text).digest('hex').toUpperCase();
    assert.equal(callbackSign('query-escaped', fields, '7'), md5('error_msg=Goods+are+Stuck&method=device.delivery.response&order_id=1e%2B06&timestamp=1764400000&key=7'));
    assert.equal(callbackSign('raw', fields, '7'), md5('error_msg=Goods are Stuck&method=device.delivery.response&order_id=1000000&timestamp=1764400000&key=7'));
    assert.equal(callbackSign('uri-encoded-twice', fields, '7'), md5('error_msg=Goods%2520are%2520Stuck&method=device.delivery.response&order_id=1000000&timestamp=1764400000&key=7'));
  });

  it('leaves out a value reading NULL, as every library does, in each form', () => {
    const fields = { method: 'device.delivery.response', error_msg: 'NULL', timestamp: '1764400000' };
    const md5 = (text: string) => createHash('md5').update(text).digest('hex').toUpperCase();
    for (const form of TRIAL_ORDER) assert.equal(callbackSign(form, fields, '7'), md5('method=device.delivery.response&timestamp=1764400000&key=7'), form);
  });

  it('falls back to the raw form where the chosen one has no text for the body (a lone surrogate)', () => {
    const fields = { method: 'device.delivery.response', error_msg: 'x\uD800', timestamp: '1764400000' };
    assert.equal(callbackSign('query-escaped', fields, '7'), callbackSign('raw', fields, '7'));
  });
});

describe('signing forms: whether a sign tells which form made it', () => {
  it('a payload of plain values reads the same in every form, so its raw match says nothing of the library', () => {
    const plain = { machine_no: '10000001', method: 'pickup_code.product.id', product_id: '7', timestamp: '1764400000' };
    assert.equal(onlyFormOf('raw', plain, 'k'), false);
  });

  it('a space reads differently in each form, so the match tells the form', () => {
    for (const form of TRIAL_ORDER) assert.equal(onlyFormOf(form, { expired_at: '2030-12-31 23:59:59', timestamp: '1764400000' }, 'k'), true, form);
  });

  it("a URL tells pansy's query-escaped form apart, but not raw from kit.js's (encodeURI keeps : and /)", () => {
    const payload = { notify_url: 'https://merchant.example/notify', timestamp: '1764400000' };
    assert.deepEqual(TRIAL_ORDER.map((form) => onlyFormOf(form, payload, 'k')), [false, true, false]);
  });
});
