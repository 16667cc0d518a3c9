/**
 * Verifying what vendcloud POSTs to a merchant (docs/callbacks.md): the
 * `Vendcloud-Signature` header over the raw body, with the merchant's webhook secret.
 */
import {
  constantTimeEqual,
  parseWebhookSignature,
  webhookDigest,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TOLERANCE_SECONDS,
} from '../protocol/webhook-signature.js';

export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface VerifyWebhookOptions {
  /** Largest accepted |now − t|, seconds (default 300). */
  toleranceSeconds?: number;
  /** Unix seconds now (default: the system clock). */
  now?: number;
}

function headerOf(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/**
 * True when the body was signed with this secret within the tolerance window. Give the body
 * exactly as received (before any JSON parsing): the signature covers its bytes.
 */
export function verifyWebhook(headers: WebhookHeaders, rawBody: string | Uint8Array, secret: string, options: VerifyWebhookOptions = {}): boolean {
  const header = headerOf(headers, WEBHOOK_SIGNATURE_HEADER);
  const parsed = header === undefined ? undefined : parseWebhookSignature(header);
  if (!parsed || secret === '') return false;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - parsed.timestamp) > (options.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS)) return false;
  const body = typeof rawBody === 'string' ? rawBody : new TextDecoder().decode(rawBody);
  const expected = webhookDigest(secret, parsed.timestamp, body);
  // Every candidate is compared, so the time taken does not say which one matched.
  return parsed.digests.map((digest) => constantTimeEqual(expected, digest)).includes(true);
}
