/**
 * Finds the `payload` in a request the way the original's clients send it: a JSON body
 * with any Content-Type or none (the Go and PHP examples send none), a form-encoded body,
 * or `?payload=` when there is no body.
 */
import { ApiError, ErrorCode } from '../protocol/errors.js';

function badRequest(why: string): ApiError {
  return new ApiError(ErrorCode.BAD_REQUEST, why);
}

export function extractPayload(rawBody: unknown, contentType: string | undefined, query: unknown): string {
  const body = typeof rawBody === 'string' ? rawBody : '';
  if (body.trim() === '') {
    const fromQuery = (query as Record<string, unknown> | undefined)?.payload;
    if (typeof fromQuery === 'string' && fromQuery !== '') return fromQuery;
    throw badRequest('payload is missing');
  }
  // curl's -d labels a JSON body as a form; the body itself tells which it is.
  if (!body.trimStart().startsWith('{') && contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    const payload = new URLSearchParams(body).get('payload');
    if (!payload) throw badRequest('payload is missing');
    return payload;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw badRequest('body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest('body is not a JSON object');
  const payload = (parsed as Record<string, unknown>).payload;
  if (typeof payload !== 'string' || payload === '') throw badRequest('payload is missing');
  return payload;
}
