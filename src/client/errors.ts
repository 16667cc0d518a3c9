/** What the SDK throws: the server's answer (OpenApiError) or no answer at all (NetworkError). */
import { explainError, type ErrorExplanation } from '../protocol/error-explanations.js';

/**
 * The Open API answered with a non-zero `code` (PROTOCOL.md §4). `httpStatus` tells a
 * request fault (4xx: credentials, signature, fields) from a business outcome (200:
 * machine missing, code used...). `data` carries what the failure names, e.g.
 * `data.order_id` for 10025 (code already used). `message` is the platform's own words
 * (often Chinese, as the wire carries them); `explanation` says in English what happened and
 * the likely fix (docs/errors.md).
 */
export class OpenApiError extends Error {
  override name = 'OpenApiError';
  readonly code: number;
  readonly httpStatus: number;
  readonly data: Record<string, unknown>;
  /** The server's `x-request-id`, to quote when asking the operator about this request. */
  readonly requestId: string | undefined;
  readonly explanation: ErrorExplanation;

  constructor(answer: { code: number; message: string; httpStatus: number; data?: unknown; requestId?: string | undefined }) {
    super(answer.message);
    this.code = answer.code;
    this.httpStatus = answer.httpStatus;
    this.data = isRecord(answer.data) ? answer.data : {};
    this.requestId = answer.requestId;
    this.explanation = explainError(answer.code);
  }
}

/**
 * No answer came back: connection refused or cut, DNS failure, or the timeout passed.
 * Thrown after the retries are used up. A write may or may not have happened; repeating
 * the same SDK call is a new request, so check (e.g. query the codes) before repeating.
 */
export class NetworkError extends Error {
  override name = 'NetworkError';
  /** How many times the request was sent. */
  readonly attempts: number;

  constructor(message: string, attempts: number, cause: unknown) {
    super(message, { cause });
    this.attempts = attempts;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
