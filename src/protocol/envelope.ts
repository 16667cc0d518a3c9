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
 * The original serialises with protobuf habits: a field that is null, undefined, false,
 * an empty string or zero-length object is left out; empty lists stay `[]`. Applied
 * recursively to response data.
 */
export function omitEmpty<T>(value: T): T {
  if (Array.isArray(value)) return value.map(omitEmpty) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(value)) {
    if (raw === null || raw === undefined || raw === false || raw === '') continue;
    const cleaned = omitEmpty(raw);
    if (isEmptyObject(cleaned)) continue;
    out[key] = cleaned;
  }
  return out as T;
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}
