/**
 * The signature of the Open API and of machine messages (PROTOCOL.md §2). One
 * implementation, used by the server, the SDK and the machine link alike. Pure JS
 * (MD5 from @noble/hashes), so it runs in any JavaScript runtime, not only Node.
 */
import { md5 } from '@noble/hashes/legacy.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

export type PayloadFields = Readonly<Record<string, string | null | undefined>>;

/** The exact string that is hashed: sorted non-empty fields except `sign`, then `&key=`. */
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

/** Uppercase hex MD5 of the signature base. */
export function computeSign(fields: PayloadFields, key: string): string {
  return bytesToHex(md5(utf8ToBytes(signatureBase(fields, key)))).toUpperCase();
}

/** Compares in time independent of where the strings differ; accepts lowercase hex. */
export function signMatches(fields: PayloadFields, key: string, given: string): boolean {
  const expected = computeSign(fields, key);
  const candidate = given.toUpperCase();
  if (candidate.length !== expected.length) return false;
  let difference = 0;
  for (let i = 0; i < expected.length; i++) {
    difference |= expected.charCodeAt(i) ^ candidate.charCodeAt(i);
  }
  return difference === 0;
}

/** The fields plus their `sign`. */
export function withSign<T extends PayloadFields>(fields: T, key: string): T & { sign: string } {
  return { ...fields, sign: computeSign(fields, key) };
}
