/**
 * The request pipeline of PROTOCOL.md §4, in its documented order: headers → body and
 * payload → signature → timestamp → merchant status. Everything after (fields, machine,
 * business rules) belongs to the route.
 */
import type { FastifyRequest } from 'fastify';
import { secretMatches } from '../domain/credentials.js';
import { PayloadReader } from '../domain/fields.js';
import { ApiError, ErrorCode } from '../protocol/errors.js';
import { decodePayload, type Payload, type PayloadValue } from '../protocol/payload.js';
import { verifySignature, type SigningForm } from '../protocol/signature.js';
import { assertMerchantActive, type MerchantAccount, type MerchantDirectory } from '../service/merchants.js';
import { idempotencyKeyOf, type IdempotencyKey } from './answer-once.js';
import { extractPayload } from './request-payload.js';

export interface MerchantRequest {
  merchant: MerchantAccount;
  /** The signed payload's fields; empty for header-only routes. */
  payload: PayloadReader;
  /** The client's key for a safe retry (answer-once.ts); undefined when it gave none or the request is unsigned. */
  idempotencyKey: IdempotencyKey | undefined;
  requestId: string;
  now: number;
}

const TIMESTAMP = /^[0-9]{1,12}$/;

declare module 'fastify' {
  interface FastifyRequest {
    /** The form the request's sign matched, for its log line (which clients sign how). */
    signingForm?: SigningForm;
  }
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first.trim() === '' ? undefined : first.trim();
}

export async function authenticateMerchant(
  request: FastifyRequest,
  signed: boolean,
  deps: { merchants: MerchantDirectory; timestampWindowSeconds: number; now: number },
): Promise<MerchantRequest> {
  const appid = headerValue(request, 'appid');
  const appSecret = headerValue(request, 'appsecret');
  if (appid === undefined || appSecret === undefined) throw new ApiError(ErrorCode.CREDENTIALS_EMPTY);
  const merchant = await deps.merchants.findByAppid(appid);
  if (!merchant) throw new ApiError(ErrorCode.APPID_INVALID);
  if (!secretMatches(appSecret, merchant.app_secret_hash)) throw new ApiError(ErrorCode.APP_SECRET_INVALID);

  let fields: Payload = {};
  if (signed) {
    fields = decodePayload(extractPayload(request.body, request.headers['content-type'], request.query));
    // The signing key is the merchant id (PROTOCOL.md §2), not the secret.
    const match = verifySignature(fields, String(merchant.id));
    if (!match) throw new ApiError(ErrorCode.SIGN_INVALID);
    request.signingForm = match.form;
    assertFreshTimestamp(fields.timestamp, deps.now, deps.timestampWindowSeconds);
  }
  assertMerchantActive(merchant, deps.now);
  const payload = new PayloadReader(fields);
  const idempotencyKey = signed ? idempotencyKeyOf(payload.optionalText('nonce'), headerValue(request, 'idempotency-key')) : undefined;
  return { merchant, payload, idempotencyKey, requestId: request.id, now: deps.now };
}

function assertFreshTimestamp(timestamp: PayloadValue | undefined, now: number, windowSeconds: number): void {
  if (typeof timestamp !== 'string' || !TIMESTAMP.test(timestamp)) throw new ApiError(ErrorCode.TIMESTAMP_INVALID);
  if (windowSeconds > 0 && Math.abs(now - Number(timestamp)) > windowSeconds) throw new ApiError(ErrorCode.TIMESTAMP_INVALID);
}
