/**
 * What the front door is fuzzed with (fast-check arbitraries): hostile field values, payloads
 * encoded every way a client might get wrong, and whole requests built byte by byte. Each
 * arbitrary yields a description of a request; front-door-fuzz.test.ts turns it into bytes.
 */
import fc from 'fast-check';

/** A JSON text nested `depth` levels deep, as an array or an object chain. */
export function deepJson(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

const C0 = fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code));
const BIDI_AND_INVISIBLE = fc.constantFrom('\u202e', '\u2066', '\u200b', '\ufeff', '\u00a0', '\u0085', '\u2028');

/** Texts a field value might hold: any code point, control characters, look-alike digits, huge ones. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 4 },
  { arbitrary: fc.string({ unit: fc.oneof(C0, BIDI_AND_INVISIBLE, fc.constantFrom('0', '1', '9')), maxLength: 20 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }), weight: 2 },
  {
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '0',
      '-1',
      '1e3',
      '1.5',
      '0x10',
      '١٢٣٤٥٦٧٨',
      '１２３４５６７８',
      '99999999999999999999',
      '9007199254740993',
      "1' OR '1'='1",
      '${jndi:ldap://x}',
      '<script>alert(1)</script>',
      '../../etc/passwd',
      '\ud800',
      'null',
      'undefined',
      '2099-02-30 00:00:00',
      '1970-01-01 00:00:00',
    ),
    weight: 3,
  },
  { arbitrary: fc.integer().map(String), weight: 2 },
  {
    // Huge: near and past what a 64 KiB body can carry once base64 grows it by a third.
    arbitrary: fc.tuple(fc.constantFrom('9', 'a', '取', '\u0007'), fc.integer({ min: 300, max: 40_000 })).map(([unit, count]) => unit.repeat(count)),
    weight: 1,
  },
);

/** A payload value of any JSON type: the protocol takes strings and numbers only. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileText, weight: 8 },
  { arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0, 1e21, 2 ** 53 + 2)), weight: 2 },
  { arbitrary: fc.oneof(fc.boolean(), fc.constant(null)), weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 2000 }).map((depth) => JSON.parse(deepJson(depth, 'array')) as unknown), weight: 1 },
);

export const FIELD_NAMES = [
  'machine_no',
  'method',
  'product_id',
  'id',
  'count',
  'code_length',
  'expired_at',
  'quantity',
  'code',
  'trade_id',
  'notify_url',
  'status',
  'page',
  'per_page',
  'category_id',
  'cabinet_name',
  'select_all',
  'timestamp',
  'nonce',
  'sign',
] as const;

/** A field to change: a known one, or any name at all (prototype names included). */
export const fieldName: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...FIELD_NAMES), weight: 6 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }), weight: 2 },
  { arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'Machine_No', 'machine_no '), weight: 1 },
);

export type Signing = 'valid' | 'lowercase' | 'wrong' | 'missing' | 'stale';

export interface FieldCase {
  endpoint: number;
  /** [name, value]: a value of undefined removes the field. */
  changes: Array<[string, unknown]>;
  signing: Signing;
  idempotencyKey: string | undefined;
}

export function fieldCase(endpoints: number): fc.Arbitrary<FieldCase> {
  return fc.record({
    endpoint: fc.nat(endpoints - 1),
    changes: fc.array(fc.tuple(fieldName, fc.option(hostileValue, { nil: undefined, freq: 6 })), { maxLength: 4 }),
    signing: fc.constantFrom<Signing>('valid', 'valid', 'valid', 'valid', 'lowercase', 'wrong', 'missing', 'stale'),
    idempotencyKey: fc.option(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 80 }), { nil: undefined, freq: 3 }),
  });
}

/** How the JSON text of a payload goes wrong before it is base64-encoded. */
export type JsonForm = 'as is' | 'pretty' | 'bom' | 'trailing garbage' | 'truncated' | 'array' | 'string' | 'number' | 'null' | 'duplicate keys' | 'deep' | 'latin1 bytes' | 'utf16';
/** How the base64 goes wrong. */
export type Base64Form = 'standard' | 'url-safe' | 'unpadded' | 'wrapped' | 'spaced' | 'stray character' | 'one too many' | 'twice' | 'percent-encoded' | 'lowercased' | 'cut' | 'empty';
/** Where the payload travels. */
export type Carrier = 'json' | 'json as text/plain' | 'form' | 'query' | 'json with payload number';

export interface EncodingCase {
  endpoint: number;
  json: JsonForm;
  base64: Base64Form;
  carrier: Carrier;
  /** Where a cut, stray character or truncation lands, 0..1 of the length. */
  at: number;
  depth: number;
}

export function encodingCase(endpoints: number): fc.Arbitrary<EncodingCase> {
  return fc.record({
    endpoint: fc.nat(endpoints - 1),
    json: fc.constantFrom<JsonForm>('as is', 'pretty', 'bom', 'trailing garbage', 'truncated', 'array', 'string', 'number', 'null', 'duplicate keys', 'deep', 'latin1 bytes', 'utf16'),
    base64: fc.constantFrom<Base64Form>('standard', 'url-safe', 'unpadded', 'wrapped', 'spaced', 'stray character', 'one too many', 'twice', 'percent-encoded', 'lowercased', 'cut', 'empty'),
    carrier: fc.constantFrom<Carrier>('json', 'json as text/plain', 'form', 'query', 'json with payload number'),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    depth: fc.integer({ min: 1, max: 20_000 }),
  });
}

/** Header values a client may send: printable, Latin-1 beyond ASCII, control characters (which HTTP forbids). */
const headerValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', maxLength: 60 }),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((code) => String.fromCharCode(code)), maxLength: 60 }),
  fc.string({ unit: fc.oneof(C0, fc.constant('a')), maxLength: 10 }),
  fc.integer({ min: 100, max: 20_000 }).map((length) => 'x'.repeat(length)),
);

export type Credentials = 'valid' | 'missing' | 'empty' | 'other value' | 'repeated';

export interface RequestCase {
  verb: string;
  /** A known route's path, or a made-up one. */
  path: string;
  query: string;
  appid: Credentials;
  appSecret: Credentials;
  credentialValue: string;
  contentType: string | undefined;
  extraHeaders: Array<[string, string]>;
  body: { kind: 'none' } | { kind: 'bytes'; bytes: Uint8Array } | { kind: 'text'; text: string };
}

/** A path segment as sent on the wire: percent-escapes that do not decode, overlong ones, NUL. */
const pathSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('10000001', '%C0%AF', '%00', '%zz', '%', '%2F..%2F', '..', '1%0d%0aSet-Cookie:x=1', '9'.repeat(150), 'é', '%E2%80%AE123'),
  fc.stringMatching(/^[0-9]{1,40}$/),
  fc.string({ unit: 'grapheme-ascii', maxLength: 30 }).map((text) => encodeURIComponent(text)),
  fc.integer({ min: 200, max: 10_000 }).map((length) => '7'.repeat(length)),
);

export function requestCase(paths: string[]): fc.Arbitrary<RequestCase> {
  const path = fc.oneof(
    { arbitrary: fc.constantFrom(...paths), weight: 4 },
    { arbitrary: fc.tuple(fc.constantFrom('/rent/machines/', '/products/', '/'), pathSegment, fc.constantFrom('', '/pickup_code', '/x')).map((parts) => parts.join('')), weight: 3 },
    { arbitrary: fc.constantFrom('//ping', '/ping/', '/PING', '/ping%20', '/ping#x', '/../ping', '/pickup_codes/query/..'), weight: 1 },
  );
  const body = fc.oneof(
    { arbitrary: fc.constant({ kind: 'none' as const }), weight: 1 },
    { arbitrary: fc.uint8Array({ maxLength: 2000 }).map((bytes) => ({ kind: 'bytes' as const, bytes })), weight: 2 },
    { arbitrary: fc.jsonValue({ maxDepth: 4 }).map((payload) => ({ kind: 'text' as const, text: JSON.stringify({ payload }) })), weight: 2 },
    { arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => ({ kind: 'text' as const, text: JSON.stringify(value) ?? '' })), weight: 1 },
    {
      arbitrary: fc.tuple(fc.integer({ min: 1, max: 50_000 }), fc.constantFrom<'array' | 'object'>('array', 'object')).map(([depth, kind]) => ({ kind: 'text' as const, text: deepJson(depth, kind) })),
      weight: 1,
    },
    { arbitrary: fc.integer({ min: 64 * 1024 - 16, max: 200_000 }).map((length) => ({ kind: 'text' as const, text: `{"payload":"${'A'.repeat(length)}"}` })), weight: 1 },
  );
  return fc.record({
    verb: fc.constantFrom('POST', 'POST', 'POST', 'PUT', 'GET', 'DELETE', 'PATCH', 'OPTIONS', 'FOO', 'post', 'P OST'),
    path,
    query: fc.oneof(fc.constant(''), fc.constantFrom('?payload=', '?payload=%zz', '?a=1&a=2', '?payload[]=1', '?__proto__[x]=1'), fc.string({ unit: 'grapheme-ascii', maxLength: 30 }).map((text) => `?payload=${encodeURIComponent(text)}`)),
    appid: fc.constantFrom<Credentials>('valid', 'valid', 'missing', 'empty', 'other value', 'repeated'),
    appSecret: fc.constantFrom<Credentials>('valid', 'valid', 'missing', 'empty', 'other value', 'repeated'),
    credentialValue: headerValue,
    contentType: fc.option(fc.oneof(fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'application/octet-stream', ''), headerValue), { nil: undefined }),
    extraHeaders: fc.array(fc.tuple(fc.constantFrom('Idempotency-Key', 'X-Forwarded-For', 'Accept-Encoding', 'Expect', 'Transfer-Encoding', 'X-Request-Id', 'X-Custom'), headerValue), { maxLength: 3 }),
    body,
  });
}
