/**
 * The `payload` codec: base64 of a UTF-8 JSON object whose values are strings
 * (PROTOCOL.md §1). Decoding is deliberately forgiving where the original's clients
 * differ (URL-safe alphabet, missing padding, pretty-printed JSON, numbers for strings,
 * nested objects and arrays) and strict everywhere else.
 */
import { ApiError, ErrorCode, invalidField } from './errors.js';
import type { Payload, PayloadValue } from './payload-value.js';
import { withSign, type PayloadFields } from './signature.js';

export type { Payload, PayloadValue };

/** Deeper than any client's payload; a bound keeps a hostile `[[[[…` from exhausting the stack. */
const MAX_NESTING = 8;

const BASE64 = /^[A-Za-z0-9+/\-_]+={0,2}$/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function badRequest(why: string): ApiError {
  return new ApiError(ErrorCode.BAD_REQUEST, why);
}

export function decodeBase64Text(text: string): string {
  const compact = text.replace(/\s+/g, '');
  if (!BASE64.test(compact) || compact.length % 4 === 1) throw badRequest('payload is not base64');
  const standard = compact.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(standard);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw badRequest('payload is not UTF-8');
  }
}

export function encodeBase64Text(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * Turns a payload string into its fields. Throws 400 for anything that is not base64 of
 * a JSON object, and 10001 naming the field for a value that is not a string, number,
 * null, or an object or array of those, or that holds U+0000.
 */
export function decodePayload(encoded: string): Payload {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeBase64Text(encoded));
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw badRequest('payload is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw badRequest('payload is not a JSON object');
  }
  return decodeMembers(parsed as Record<string, unknown>, (name) => name, 0);
}

function decodeMembers(object: Record<string, unknown>, path: (name: string) => string, depth: number): Record<string, PayloadValue> {
  const members: Record<string, PayloadValue> = {};
  for (const [name, value] of Object.entries(object)) {
    const decoded = decodeValue(value, path(name), depth);
    // An own property even for `__proto__`, so no member can reach a reader through the prototype.
    if (name === '__proto__') Object.defineProperty(members, name, { value: decoded, enumerable: true, writable: true, configurable: true });
    else members[name] = decoded;
  }
  return members;
}

function decodeValue(value: unknown, path: string, depth: number): PayloadValue {
  // PostgreSQL text cannot hold U+0000; refusing it here keeps both stores alike.
  if (typeof value === 'string') {
    if (value.includes('\u0000')) throw invalidField(path, 'must not contain NUL');
    return value;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (value === null) return null;
  if (typeof value !== 'object') throw invalidField(path, 'must be a string');
  if (depth >= MAX_NESTING) throw invalidField(path, 'is nested too deeply');
  if (Array.isArray(value)) return value.map((item, index) => decodeValue(item, `${path}[${index}]`, depth + 1));
  return decodeMembers(value as Record<string, unknown>, (name) => `${path}[${name}]`, depth + 1);
}

/** The fields whose value is a string: what a machine message's handlers read. */
export function textFields(payload: Payload): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) if (typeof value === 'string') texts[name] = value;
  return texts;
}

/** Signs the fields with the key and returns the base64 payload a request carries. */
export function encodeSignedPayload(fields: PayloadFields, key: string): string {
  const present: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined && value !== null) present[name] = value;
  }
  return encodeBase64Text(JSON.stringify(withSign(present, key)));
}
