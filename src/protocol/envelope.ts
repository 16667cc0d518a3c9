/** The response envelope `{code, message, data}` (PROTOCOL.md §3). */
import { ApiError, ERROR_CATALOGUE, ErrorCode } from './errors.js';

export interface Envelope<T = unknown> {
  code: number;
  message: string;
  data: T;
}

export function success<T>(data: T): Envelope<T> {
  return { code: ErrorCode.OK, message: ERROR_CATALOGUE[ErrorCode.OK].message, data };
}

export function failure(error: ApiError): Envelope<Record<string, unknown>> {
  return { code: error.code, message: error.message, data: error.data };
}

/**
 * The original serialises `data` with protobuf habits (protocol.md): a field holding a zero
 * value (null, false, 0, an empty string, list or object) is left out, at every depth. A
 * whole `data` that is a list stays a list, `[]` included, as the docs show. The shapes this
 * produces are written down in responses.ts.
 */
export function omitEmpty<T>(value: T): T {
  if (Array.isArray(value)) return value.map(omitEmpty) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(value)) {
    const cleaned = omitEmpty(raw);
    if (!isZeroValue(cleaned)) out[key] = cleaned;
  }
  return out as T;
}

function isZeroValue(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}
