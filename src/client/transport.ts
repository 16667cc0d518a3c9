/**
 * One Open API call on the wire, with safe retries. A retry resends the very same bytes:
 * for a signed write that means the same `nonce`, which the server answers from its record
 * of the first attempt instead of executing it again (PROTOCOL.md §2, idempotent retries).
 * Only failures where the server may not have answered are retried (no response, 5xx);
 * a 4xx or a business failure would just come back the same.
 */
import { ErrorCode } from '../protocol/errors.js';
import { REQUEST_SIGNATURE_HEADER, requestSignature } from '../protocol/request-signature.js';
import { nowSeconds } from '../protocol/time.js';
import { NetworkError, OpenApiError } from './errors.js';

export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

export interface WireRequest {
  method: 'POST' | 'PUT';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface TransportOptions {
  fetch: Fetch;
  timeoutMs: number;
  /** Further attempts after the first. */
  retries: number;
  /** The merchant's signing secret: every request then carries Vendcloud-Request-Signature (docs/security.md). */
  signingSecret?: string;
}

/** The request with its strong signature, when the client has a signing secret; made once, sent by every attempt. */
function withStrongSignature(request: WireRequest, signingSecret: string | undefined): WireRequest {
  if (!signingSecret) return request;
  const url = new URL(request.url);
  const signature = requestSignature(signingSecret, nowSeconds(), request.method, `${url.pathname}${url.search}`, request.body ?? '');
  return { ...request, headers: { ...request.headers, [REQUEST_SIGNATURE_HEADER]: signature } };
}

/** Capped exponential backoff with "equal jitter": half the step fixed, half random. */
const BACKOFF = { firstMs: 200, maxMs: 3_000 };

export function backoffDelay(retry: number): number {
  const step = Math.min(BACKOFF.maxMs, BACKOFF.firstMs * 2 ** (retry - 1));
  return step / 2 + Math.random() * (step / 2);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Answer {
  status: number;
  text: string;
  requestId: string | undefined;
}

async function sendOnce(request: WireRequest, options: TransportOptions): Promise<Answer> {
  const response = await options.fetch(request.url, {
    method: request.method,
    headers: request.headers,
    ...(request.body !== undefined ? { body: request.body } : {}),
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  // Reading the body is part of the exchange: a connection cut mid-body is a network failure.
  const text = await response.text();
  return { status: response.status, text, requestId: response.headers.get('x-request-id') ?? undefined };
}

/** Sends the request (retrying as above) and returns the envelope's `data`, or throws. */
export async function exchange(unsignedRequest: WireRequest, options: TransportOptions): Promise<unknown> {
  const request = withStrongSignature(unsignedRequest, options.signingSecret);
  const attempts = options.retries + 1;
  for (let attempt = 1; ; attempt++) {
    let answer: Answer;
    try {
      answer = await sendOnce(request, options);
    } catch (error) {
      if (attempt < attempts) {
        await sleep(backoffDelay(attempt));
        continue;
      }
      throw new NetworkError(`${describe(error)} (${request.method} ${request.url}, ${attempt} attempt${attempt > 1 ? 's' : ''})`, attempt, error);
    }
    if (answer.status >= 500 && attempt < attempts) {
      await sleep(backoffDelay(attempt));
      continue;
    }
    return readEnvelope(answer);
  }
}

function readEnvelope(answer: Answer): unknown {
  let envelope: { code?: unknown; message?: unknown; data?: unknown } | undefined;
  try {
    envelope = JSON.parse(answer.text);
  } catch {
    envelope = undefined;
  }
  if (typeof envelope !== 'object' || envelope === null || typeof envelope.code !== 'number') {
    // Not the Open API talking (a proxy's error page, a wrong base URL).
    throw new OpenApiError({
      code: answer.status >= 400 ? answer.status : ErrorCode.INTERNAL_ERROR,
      message: `not an Open API answer (HTTP ${answer.status})`,
      httpStatus: answer.status,
      requestId: answer.requestId,
    });
  }
  if (envelope.code !== ErrorCode.OK) {
    throw new OpenApiError({
      code: envelope.code,
      message: typeof envelope.message === 'string' ? envelope.message : '',
      httpStatus: answer.status,
      data: envelope.data,
      requestId: answer.requestId,
    });
  }
  return envelope.data;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'no answer within the timeout';
    // Node's fetch says only "fetch failed"; the reason (ECONNREFUSED...) is in `cause`.
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message;
    return reason ? `${error.message}: ${reason}` : error.message;
  }
  return String(error);
}

/**
 * Credentials travel as headers. A bad one (a pasted newline, say) would make `fetch`
 * throw a TypeError, which is also how `fetch` reports a network failure, so it is
 * refused here instead of being retried as if the network were down.
 */
export function headerValue(name: string, value: string): string {
  if (typeof value !== 'string' || !/^[\x21-\x7e]+$/.test(value)) throw new TypeError(`${name} must be non-empty printable ASCII without spaces`);
  return value;
}

/** 16 hex digits; uniqueness is all it needs, so Math.random stands in where crypto is missing. */
export function nonce(): string {
  const bytes = new Uint8Array(8);
  if (globalThis.crypto?.getRandomValues) globalThis.crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
