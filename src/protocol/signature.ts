/**
 * The signature of the Open API and of machine messages (PROTOCOL.md §2). One
 * implementation, used by the server, the SDK and the machine link alike. Pure JS
 * (MD5 from @noble/hashes), so it runs in any JavaScript runtime, not only Node.
 *
 * vendcloud's SDK signs requests in the documented raw form; a callback is signed in the
 * form of the merchant's own library (`callbackSign`). It verifies every form the original
 * platform's published client libraries produce (see SIGNING_FORMS), and none that
 * leaves part of the payload unsigned.
 */
import { md5 } from '@noble/hashes/legacy.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { Payload, PayloadValue } from './payload-value.js';

export type PayloadFields = Readonly<Record<string, string | null | undefined>>;

/**
 * The forms a sign is checked in, in the order they are tried. The raw form is first, so
 * a request signed as the docs say costs one hash; the others run only on a mismatch.
 */
export const SIGNING_FORMS = ['raw', 'query-escaped', 'uri-encoded-twice'] as const;
export type SigningForm = (typeof SIGNING_FORMS)[number];

/** Which published clients sign in each form (docs/compatibility.md, "Signing forms"). */
export const SIGNING_FORM_CLIENTS: Readonly<Record<SigningForm, string>> = {
  raw: 'the docs, PHP dsjsdz/signatory, go-pansy/pansy <= v1.0.7',
  'query-escaped': 'go-pansy/pansy >= v1.0.8 (url.Values.Encode)',
  'uri-encoded-twice': '@cakioe/kit.js 1.5.2 (encodeURI twice)',
};

/** The exact string that is hashed in the raw form: sorted non-empty fields except `sign`, then `&key=`. */
export function signatureBase(fields: PayloadFields, key: string): string {
  const parts: string[] = [];
  // Plain `<` comparison on JS strings orders by UTF-16 code unit, which equals byte
  // order for the ASCII keys the protocol uses; localeCompare would not.
  for (const name of Object.keys(fields).sort()) {
    const value = fields[name];
    if (name === 'sign' || value === undefined || value === null || value === '') continue;
    parts.push(`${name}=${value}`);
  }
  parts.push(`key=${key}`);
  return parts.join('&');
}

/** The sign of a signature base: its uppercase hex MD5. */
export function hashSignatureBase(base: string): string {
  return bytesToHex(md5(utf8ToBytes(base))).toUpperCase();
}

/** The sign in the raw form: what vendcloud and its SDK send. */
export function computeSign(fields: PayloadFields, key: string): string {
  return hashSignatureBase(signatureBase(fields, key));
}

/** The fields plus their `sign`. */
export function withSign<T extends PayloadFields>(fields: T, key: string): T & { sign: string } {
  return { ...fields, sign: computeSign(fields, key) };
}

/**
 * The string a form hashes for this payload, or undefined when the form cannot sign all
 * of it. The raw form has no rule for a nested value: the PHP library signs the word
 * `Array` in its place and pansy <= v1.0.7 leaves it out, so its content would go unsigned.
 */
export function signatureBaseIn(form: SigningForm, payload: Payload, key: string): string | undefined {
  if (form === 'raw') return isFlat(payload) ? signatureBase(payload, key) : undefined;
  try {
    return form === 'query-escaped' ? queryEscapedBase(payload, key) : uriEncodedTwiceBase(payload, key);
  } catch {
    // encodeURI and encodeURIComponent throw on a lone surrogate, which no client can have signed.
    return undefined;
  }
}

export interface SignatureMatch {
  form: SigningForm;
  /** The payload's `sign`, uppercased: the request's identity for idempotent retries. */
  sign: string;
}

/** Which form the payload's `sign` matches, trying them in SIGNING_FORMS order; undefined for none. */
export function verifySignature(payload: Payload, key: string): SignatureMatch | undefined {
  const given = payload.sign;
  if (typeof given !== 'string' || given === '') return undefined;
  const sign = given.toUpperCase();
  for (const form of SIGNING_FORMS) {
    const base = signatureBaseIn(form, payload, key);
    if (base !== undefined && sameText(hashSignatureBase(base), sign)) return { form, sign };
  }
  return undefined;
}

/**
 * Whether a sign that matched in `form` can only have been made in that form: every other
 * form hashes another text for this payload. A payload of plain values (letters, digits,
 * `-_.`) reads the same in every form, so its sign matches the first one tried, `raw`,
 * whichever library made it; that says nothing of the library.
 */
export function onlyFormOf(form: SigningForm, payload: Payload, key: string): boolean {
  const base = signatureBaseIn(form, payload, key);
  return SIGNING_FORMS.every((other) => other === form || signatureBaseIn(other, payload, key) !== base);
}

/** Compares in time independent of where the strings differ. */
function sameText(expected: string, candidate: string): boolean {
  if (candidate.length !== expected.length) return false;
  let difference = 0;
  for (let i = 0; i < expected.length; i++) difference |= expected.charCodeAt(i) ^ candidate.charCodeAt(i);
  return difference === 0;
}

function isFlat(payload: Payload): payload is Readonly<Record<string, string | null>> {
  for (const value of Object.values(payload)) if (value !== null && typeof value === 'object') return false;
  return true;
}

/**
 * Every leaf of the payload, `sign` excepted, under the name both libraries give it:
 * `key[sub]` for an object member, `key[i]` for an array item. `null` becomes the text
 * each library prints for it; empty leaves are left out, as both libraries do. Both also
 * leave out a leaf that reads `NULL`: that text would reach the server unsigned, so a
 * payload holding one cannot be verified in these forms (undefined).
 */
function flatten(payload: Payload, nullText: string): Array<[string, string]> | undefined {
  const leaves: Array<[string, string]> = [];
  const visit = (name: string, value: PayloadValue): boolean => {
    if (value === null) leaves.push([name, nullText]);
    else if (typeof value === 'string') {
      if (value === 'NULL') return false;
      if (value !== '') leaves.push([name, value]);
    } else if (Array.isArray(value)) {
      return value.every((item, index) => visit(`${name}[${index}]`, item));
    } else {
      return Object.entries(value).every(([sub, item]) => visit(`${name}[${sub}]`, item));
    }
    return true;
  };
  for (const [name, value] of Object.entries(payload)) {
    if (name !== 'sign' && !visit(name, value)) return undefined;
  }
  return leaves;
}

/**
 * go-pansy/pansy >= v1.0.8: `url.Values.Encode()` of the leaves (names and values
 * query-escaped, sorted by name in byte order, a repeated name keeping its values in
 * order), then `&key=`. Go prints a nil as `<nil>`.
 */
function queryEscapedBase(payload: Payload, key: string): string | undefined {
  const leaves = flatten(payload, '<nil>');
  if (!leaves) return undefined;
  leaves.sort(([a], [b]) => compareCodePoints(a, b)); // stable: a repeated name keeps its order
  const parts = leaves.map(([name, value]) => `${queryEscape(name)}=${queryEscape(value)}`);
  return `${parts.join('&')}&key=${key}`;
}

/** Go's url.QueryEscape: only A-Z a-z 0-9 - _ . ~ stay, a space becomes `+`, the rest %XX of UTF-8. */
function queryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/**
 * Go's sort.Strings orders UTF-8 bytes, i.e. code points; JS `<` orders UTF-16 units,
 * which puts U+10000 and above (surrogate pairs) before U+E000–U+FFFF. Shifting the
 * surrogates above that range restores code point order.
 */
function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit <= 0xdfff ? unit + 0x2000 : unit - 0x800;
}

/**
 * @cakioe/kit.js 1.5.2: each leaf as `name=encodeURI(value)`, those strings sorted as JS
 * sorts strings, joined with `&`, the whole passed through encodeURI again (so values are
 * encoded twice, names once), then `&key=`. JS prints a null as `null`.
 */
function uriEncodedTwiceBase(payload: Payload, key: string): string | undefined {
  const leaves = flatten(payload, 'null');
  if (!leaves) return undefined;
  const parts = leaves.map(([name, value]) => `${name}=${encodeURI(value)}`).sort();
  return `${encodeURI(parts.join('&'))}&key=${key}`;
}

/** A callback body's fields as JSON decodes them: texts and numbers (PROTOCOL.md §2's types). */
export type CallbackFields = Readonly<Record<string, string | number>>;

/**
 * The sign of a body vendcloud sends, made in the form the receiving merchant's library
 * checks (docs/callbacks.md). Each library computes its text from the
 * body as its language decodes it, so a number is written as that language prints it:
 * Go decodes every JSON number to a float64 and pansy prints it with `%v`, while PHP and JS
 * print an integer as its digits. A value reading `NULL` is left out, as every one of the
 * libraries leaves it out of its text. Falls back to the raw form where the chosen one has
 * no text for the body (a lone surrogate); the HMAC header still authenticates it.
 */
export function callbackSign(form: SigningForm, fields: CallbackFields, key: string): string {
  const printNumber = form === 'query-escaped' ? goPrintedNumber : String;
  const asText = Object.fromEntries(
    Object.entries(fields)
      .map(([name, value]) => [name, typeof value === 'number' ? printNumber(value) : value] as const)
      .filter(([, text]) => text !== 'NULL'),
  );
  return hashSignatureBase(signatureBaseIn(form, asText, key) ?? signatureBase(asText, key));
}

/**
 * Go's `fmt.Sprintf("%v", f)` of a float64: the shortest digits that read back as `f`, in
 * `%e` form (`1e+06`, `1.000001e+06`, `1e-05`, exponent of at least two digits) when the
 * decimal exponent is below -4 or at least 6 (strconv's 'g' with shortest precision), else
 * as a plain decimal.
 */
export function goPrintedNumber(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN';
  if (Object.is(value, -0)) return '-0';
  if (value === 0) return '0';
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 6) return String(value);
  const digits = String(Math.abs(exponent)).padStart(2, '0');
  return `${mantissa}e${exponent < 0 ? '-' : '+'}${digits}`;
}
