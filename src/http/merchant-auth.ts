/**
 * Authentication, as the `preHandler` of every Open API route: the request pipeline of
 * PROTOCOL.md §4 in its documented order (headers → body and payload → signature →
 * timestamp → merchant status). It decorates the request with the merchant, the signed
 * payload's fields, the idempotency key and the request's `now`, so that route handlers
 * read like the business rule. A route's `config.signed` says whether it takes a payload.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { secretMatches } from '../domain/credentials.js';
import { PayloadReader } from '../domain/fields.js';
import { ApiError, ErrorCode } from '../protocol/errors.js';
import { decodePayload, type Payload, type PayloadValue } from '../protocol/payload.js';
import { REQUEST_SIGNATURE_HEADER, requestSignatureHolds } from '../protocol/request-signature.js';
import { verifySignature, type SigningForm } from '../protocol/signature.js';
import { assertMerchantActive, type MerchantAccount, type MerchantDirectory } from '../service/merchants.js';
import type { Author } from '../store/store.js';
import { idempotencyKeyOf, type IdempotencyKey } from './answer-once.js';
import { refuseOverLimit, type HttpLimits } from './rate-limit.js';
import { extractPayload } from './request-payload.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route reads a signed `payload` (PROTOCOL.md §2); header-only routes do not. */
    signed?: boolean;
    /** The payload fields the route declared: the only ones its reader reads (protocol/request-fields.ts). */
    fields?: ReadonlySet<string>;
  }
  interface FastifyRequest {
    /** The form the request's sign matched, for its log line (which clients sign how). */
    signingForm?: SigningForm;
    /** The authenticated merchant (set by the preHandler of every Open API route). */
    merchant: MerchantAccount;
    /** The signed payload's fields; empty for header-only routes. */
    payload: PayloadReader;
    /** The client's key for a safe retry (answer-once.ts); undefined when it gave none or the request is unsigned. */
    idempotencyKey: IdempotencyKey | undefined;
    /** Unix seconds when the request was authenticated: every rule of this request reads this clock. */
    now: number;
  }
}

const TIMESTAMP = /^[0-9]{1,12}$/;

/**
 * The codes authentication may answer on every route, in its order: the address's or the
 * Appid's limit, the headers, the strong signature when sent or required, the merchant's
 * standing. The reference lists them for each operation (openapi-document.ts).
 */
export const AUTHENTICATION_CODES: readonly ErrorCode[] = [
  ErrorCode.TOO_MANY_REQUESTS,
  ErrorCode.CREDENTIALS_EMPTY,
  ErrorCode.APPID_INVALID,
  ErrorCode.APP_SECRET_INVALID,
  ErrorCode.SIGN_INVALID,
  ErrorCode.MERCHANT_NOT_VERIFIED,
  ErrorCode.MERCHANT_EXPIRED,
];

/** What a signed route's payload adds: the body and payload (400), its sign, its timestamp. */
export const SIGNED_PAYLOAD_CODES: readonly ErrorCode[] = [ErrorCode.BAD_REQUEST, ErrorCode.SIGN_INVALID, ErrorCode.TIMESTAMP_INVALID];

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first.trim() === '' ? undefined : first.trim();
}

export interface AuthenticationDeps {
  merchants: MerchantDirectory;
  limits: HttpLimits;
  timestampWindowSeconds: number;
  clock: () => number;
}

/** Adds the request's decorations to a scope (its routes then use `authenticate` as their preHandler). */
export function decorateMerchantRequest(scope: FastifyInstance): void {
  scope.decorateRequest('merchant', null as unknown as MerchantAccount);
  scope.decorateRequest('payload', null as unknown as PayloadReader);
  scope.decorateRequest('idempotencyKey', undefined);
  scope.decorateRequest('now', 0);
}

export function authenticate(deps: AuthenticationDeps): preHandlerAsyncHookHandler {
  const { failedAuthentications, perAppid } = deps.limits;
  /** A failed authentication counts against the client's address, never against the Appid it named. */
  const failed = async (request: FastifyRequest, code: ErrorCode): Promise<never> => {
    await failedAuthentications.charge(request.ip);
    throw new ApiError(code);
  };
  return async function authenticateMerchant(request, reply) {
    const now = deps.clock();
    const signed = request.routeOptions.config.signed === true;
    // An address past its failures is refused before anything is checked, the right secret included.
    const wait = await failedAuthentications.exhausted(request.ip);
    if (wait !== undefined) refuseOverLimit(reply, wait);
    const appid = headerValue(request, 'appid');
    const appSecret = headerValue(request, 'appsecret');
    if (appid === undefined || appSecret === undefined) throw new ApiError(ErrorCode.CREDENTIALS_EMPTY);
    const merchant = await deps.merchants.findByAppid(appid);
    if (!merchant) return failed(request, ErrorCode.APPID_INVALID);
    if (!secretMatches(appSecret, merchant.app_secret_hash)) return failed(request, ErrorCode.APP_SECRET_INVALID);
    // Charged only now: whoever knows an Appid (every machine holds it) cannot spend its quota.
    await chargeAppid(perAppid, merchant.appid, reply);
    assertStrongSignature(request, merchant, now, deps.timestampWindowSeconds);

    let fields: Payload = {};
    if (signed) {
      fields = decodePayload(extractPayload(request.body, request.headers['content-type'], request.query));
      // The signing key is the merchant id (PROTOCOL.md §2), not the secret.
      // Still 10002, as the original answers; the detail after ": " says which of the two it is.
      if (typeof fields.sign !== 'string' || fields.sign === '') throw new ApiError(ErrorCode.SIGN_INVALID, 'the payload has no sign field');
      const match = verifySignature(fields, String(merchant.id));
      if (!match) throw new ApiError(ErrorCode.SIGN_INVALID);
      request.signingForm = match.form;
      assertFreshTimestamp(fields.timestamp, now, deps.timestampWindowSeconds);
    }
    assertMerchantActive(merchant, now);
    request.merchant = merchant;
    request.payload = new PayloadReader(fields, request.routeOptions.config.fields);
    request.idempotencyKey = signed ? idempotencyKeyOf(request.payload.optionalText('nonce'), headerValue(request, 'idempotency-key')) : undefined;
    request.now = now;
    if (request.signingForm) await deps.merchants.recordSigningForm(merchant, fields, request.signingForm, merchantAuthor(request));
  };
}

/** The author of every change an authenticated request makes: its merchant, the request, its `now`. */
export function merchantAuthor(request: FastifyRequest): Author {
  return { actor: `merchant:${request.merchant.id}`, requestId: request.id, at: request.now };
}

/**
 * The opt-in HMAC request signature (protocol/request-signature.ts): checked whenever it is
 * sent, required when the merchant asked for it (`merchant set --require-signature on`).
 */
function assertStrongSignature(request: FastifyRequest, merchant: MerchantAccount, now: number, windowSeconds: number): void {
  const header = headerValue(request, REQUEST_SIGNATURE_HEADER.toLowerCase());
  if (header === undefined) {
    if (merchant.require_signature) throw new ApiError(ErrorCode.SIGN_INVALID, `${REQUEST_SIGNATURE_HEADER} required`);
    return;
  }
  const body = typeof request.body === 'string' ? request.body : '';
  const target = { method: request.method, target: request.url, body };
  if (!merchant.signing_secret || !requestSignatureHolds(header, merchant.signing_secret, target, now, windowSeconds)) {
    throw new ApiError(ErrorCode.SIGN_INVALID, REQUEST_SIGNATURE_HEADER);
  }
}

async function chargeAppid(perAppid: HttpLimits['perAppid'], appid: string, reply: FastifyReply): Promise<void> {
  const charged = await perAppid.charge(appid);
  if (charged.over) refuseOverLimit(reply, charged.retryAfterSeconds);
}

function assertFreshTimestamp(timestamp: PayloadValue | undefined, now: number, windowSeconds: number): void {
  if (typeof timestamp !== 'string' || !TIMESTAMP.test(timestamp)) throw new ApiError(ErrorCode.TIMESTAMP_INVALID);
  if (windowSeconds > 0 && Math.abs(now - Number(timestamp)) > windowSeconds) throw new ApiError(ErrorCode.TIMESTAMP_INVALID);
}
