/**
 * What the sender (src/callbacks) does with the queue, in the words of the rules: claim the
 * due callbacks, build each attempt's signed request, record how it went and when the next
 * one is due (domain/callbacks.ts).
 */
import { callbackSigningForm, nextAttemptAt } from '../domain/callbacks.js';
import { callbackSign, type CallbackFields } from '../protocol/signature.js';
import { WEBHOOK_EVENT_ID_HEADER, WEBHOOK_SIGNATURE_HEADER, webhookSignature } from '../protocol/webhook-signature.js';
import * as callbacks from '../store/repositories/callbacks.repository.js';
import type { Callback } from '../store/repositories/callbacks.repository.js';
import * as merchants from '../store/repositories/merchants.repository.js';
import type { Executor } from '../store/executor.js';
import type { Work } from '../store/store.js';

export type { Callback };

/** Claims up to `limit` due callbacks for one attempt each, until the Work's clock + `leaseSeconds`. */
export function claimDueCallbacks(work: Work, leaseSeconds: number, limit: number, token: string): Promise<Callback[]> {
  return callbacks.claimDue(work.trx, work.now, work.now + leaseSeconds, token, limit);
}

export interface SignedRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  /** False when the merchant has no webhook secret yet (created before webhooks): sent without the HMAC header. */
  hmacSigned: boolean;
}

/**
 * The attempt's request. A notify callback's body is the original's fields plus `timestamp`
 * and the MD5 `sign` keyed by the merchant id (PROTOCOL.md §2), made in the form the
 * merchant's own library checks (`callbackSigningForm`), so its CheckSignature accepts it;
 * every body is also HMAC-signed in the header with the merchant's current webhook secret,
 * which is what authenticates it. Both are read at each attempt, so a retry follows a change.
 */
export async function signedRequest(db: Executor, callback: Callback, now: number): Promise<SignedRequest> {
  const merchant = await merchants.callbackSigningOf(db, callback.merchant_id);
  let body = callback.body;
  if (callback.kind === 'notify') {
    const fields = { ...(JSON.parse(callback.body) as CallbackFields), timestamp: String(now) };
    const form = callbackSigningForm(merchant?.callback_sign_form ?? 'auto', merchant?.request_sign_form ?? null);
    body = JSON.stringify({ ...fields, sign: callbackSign(form, fields, String(callback.merchant_id)) });
  }
  const secret = merchant?.webhook_secret ?? null;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'vendcloud-callbacks/1',
    [WEBHOOK_EVENT_ID_HEADER]: callback.event_id,
  };
  if (secret) headers[WEBHOOK_SIGNATURE_HEADER] = webhookSignature(secret, now, body);
  return { url: callback.url, body, headers, hmacSigned: secret !== null };
}

export interface AttemptReport {
  startedAt: number;
  latencyMs: number;
  /** The answer's status, or null when there was none (refused target, connection, timeout). */
  httpStatus: number | null;
  error: string | null;
}

/** Records the attempt, ended at the Work's clock: a 2xx delivers, anything else waits for the next time of the schedule or gives up. */
export async function recordAttempt(work: Work, callback: Callback, token: string, report: AttemptReport): Promise<'delivered' | 'retry' | 'failed' | 'lost-claim'> {
  const delivered = report.httpStatus !== null && report.httpStatus >= 200 && report.httpStatus < 300;
  const next = delivered ? undefined : nextAttemptAt(callback.scheduled_from, callback.attempts + 1, work.now);
  const state = delivered ? 'delivered' : next === undefined ? 'failed' : 'pending';
  const recorded = await callbacks.finishAttempt(work.trx, callback, token, {
    startedAt: report.startedAt,
    latencyMs: report.latencyMs,
    httpStatus: report.httpStatus,
    error: report.error,
    state,
    nextAttemptAt: next ?? null,
    finishedAt: state === 'pending' ? null : work.now,
  });
  if (!recorded) return 'lost-claim';
  return state === 'pending' ? 'retry' : state;
}
