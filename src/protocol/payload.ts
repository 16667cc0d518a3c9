/**
 * The `payload` codec: base64 of a UTF-8 JSON object whose values are strings
 * (PROTOCOL.md §1). Decoding is deliberately forgiving where the original's clients
 * differ (URL-safe alphabet, missing padding, pretty-printed JSON, numbers for strings)
 * and strict everywhere else.
 */
import { ApiError, ErrorCode, invalidField } from './errors.js';
import { withSign, type PayloadFields } from './signature.js';

/** Decoded payload: every present value is a string; null became absent. */
export type Payload = Record<string, string>;

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
 * a JSON object, and 10001 naming the field for a value that is not a string or number.
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
  const fields: Payload = {};
  for (const [name, value] of Object.entries(parsed)) {
    // PostgreSQL text cannot hold U+0000; refusing it here keeps both stores alike.
    if (typeof value === 'string' && value.includes('\u0000')) throw invalidField(name, 'must not contain NUL');
    if (typeof value === 'string') fields[name] = value;
    else if (typeof value === 'number' && Number.isFinite(value)) fields[name] = String(value);
    else if (value === null) continue;
    else throw invalidField(name, 'must be a string');
  }
  return fields;
}

/** Signs the fields with the key and returns the base64 payload a request carries. */
export function encodeSignedPayload(fields: PayloadFields, key: string): string {
  const present: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined && value !== null) present[name] = value;
  }
  return encodeBase64Text(JSON.stringify(withSign(present, key)));
}
