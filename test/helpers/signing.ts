/**
 * Signs the way the original platform's client libraries do, built apart from
 * src/protocol so that tests check the server's verifier against an independent account
 * of each library (test/fixtures/signature-vectors.json holds the libraries' own output).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** One input of test/fixtures/signature-vectors.json and the sign each library made of it. */
export interface SignatureVector {
  key: string;
  fields: Record<string, unknown>;
  /** By library, e.g. `go go-pansy/pansy v1.1.1`. */
  signs: Record<string, string>;
}

export function signatureVectors(): SignatureVector[] {
  const file = new URL('../../../test/fixtures/signature-vectors.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { vectors: SignatureVector[] }).vectors;
}

function md5Upper(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();
}

/** go-pansy/pansy's `addValues`: a nested value becomes leaves named `key[sub]` and `key[i]`. */
function goLeaves(name: string, value: unknown): Array<[string, string]> {
  if (Array.isArray(value)) return value.flatMap((item, index) => goLeaves(`${name}[${index}]`, item));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([sub, item]) => goLeaves(`${name}[${sub}]`, item));
  const text = String(value);
  return text === '' || text === 'NULL' ? [] : [[name, text]];
}

/**
 * go-pansy/pansy v1.1.1: `url.Values.Encode()` of the leaves, then `&key=`.
 * URLSearchParams serialises as Go does for every character the tests use (it differs
 * only on `*` and `~`).
 */
export function pansyStyleSign(fields: Record<string, unknown>, key: string): string {
  const leaves = Object.entries(fields)
    .filter(([name]) => name !== 'sign')
    .flatMap(([name, value]) => goLeaves(name, value))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return md5Upper(`${new URLSearchParams(leaves).toString()}&key=${key}`);
}

/**
 * dsjsdz/signatory (PHP) on a payload with a nested value: `sprintf("%s", $array)` is the
 * word `Array`, so that is what it signs in the value's place.
 */
export function phpArraySign(fields: Record<string, unknown>, key: string): string {
  const parts = Object.keys(fields)
    .filter((name) => name !== 'sign')
    .sort()
    .map((name) => `${name}=${typeof fields[name] === 'object' ? 'Array' : String(fields[name])}`);
  return md5Upper(`${parts.join('&')}&key=${key}`);
}

/** go-pansy/pansy <= v1.0.7 on a payload with a nested value: the value is left out of the sign. */
export function pansyOldSign(fields: Record<string, unknown>, key: string): string {
  const parts = Object.keys(fields)
    .filter((name) => name !== 'sign' && typeof fields[name] !== 'object')
    .sort()
    .map((name) => `${name}=${String(fields[name])}`);
  return md5Upper(`${parts.join('&')}&key=${key}`);
}

/** The request body a client sends for these fields (already signed). */
export function bodyWith(fields: Record<string, unknown>): string {
  return JSON.stringify({ payload: Buffer.from(JSON.stringify(fields)).toString('base64') });
}
