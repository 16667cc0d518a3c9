/**
 * The opt-in strong request signature (docs/security.md, "Strong request signing"): the
 * header `Vendcloud-Request-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over
 * `t.METHOD.target.body` (the target is the path and query as sent), keyed by the merchant's
 * signing secret, which never travels. The original's MD5 `sign` is keyed by the merchant id
 * and the AppSecret rides in every request, so whoever sees one request can make new ones;
 * this one cannot be made without the secret, nor moved to another path, verb or body. The
 * HMAC and the header's format are the webhooks' (webhook-signature.ts): one implementation
 * for the server, the SDK and the console.
 */
import { constantTimeEqual, parseWebhookSignature, webhookDigest } from './webhook-signature.js';

export const REQUEST_SIGNATURE_HEADER = 'Vendcloud-Request-Signature';

function digest(secret: string, timestamp: number, method: string, target: string, body: string): string {
  return webhookDigest(secret, timestamp, `${method.toUpperCase()}.${target}.${body}`);
}

/** The header's value for a request sent at `timestamp`. */
export function requestSignature(secret: string, timestamp: number, method: string, target: string, body: string): string {
  return `t=${timestamp},v1=${digest(secret, timestamp, method, target, body)}`;
}

/** Whether the header signs this request with this secret, at a time within `windowSeconds` of `now` (0: any time). */
export function requestSignatureHolds(header: string, secret: string, request: { method: string; target: string; body: string }, now: number, windowSeconds: number): boolean {
  const parsed = parseWebhookSignature(header);
  if (!parsed) return false;
  if (windowSeconds > 0 && Math.abs(now - parsed.timestamp) > windowSeconds) return false;
  const expected = digest(secret, parsed.timestamp, request.method, request.target, request.body);
  return parsed.digests.some((candidate) => constantTimeEqual(expected, candidate));
}
