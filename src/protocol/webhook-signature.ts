/**
 * The signature of every callback and webhook vendcloud sends (docs/callbacks.md): the header
 * `Vendcloud-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, keyed by the
 * merchant's webhook secret. One implementation for the server that signs and the SDK that
 * verifies. Pure JS (@noble/hashes), like the MD5 sign, so the SDK runs in any runtime.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

export const WEBHOOK_SIGNATURE_HEADER = 'Vendcloud-Signature';
/** Stable across retries of one callback: a receiver deduplicates on it. */
export const WEBHOOK_EVENT_ID_HEADER = 'Vendcloud-Event-Id';
/** How far `t` may be from the receiver's clock by default: a captured request replays for no longer. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/** The hex HMAC-SHA256 of `${t}.${body}`. */
export function webhookDigest(secret: string, timestamp: number, body: string): string {
  return bytesToHex(hmac(sha256, utf8ToBytes(secret), utf8ToBytes(`${timestamp}.${body}`)));
}

/** The header's value for a body sent at `timestamp`. */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${webhookDigest(secret, timestamp, body)}`;
}

/** `t` and every `v1` of a header value (several `v1` while a secret is being rotated); undefined if malformed. */
export function parseWebhookSignature(value: string): { timestamp: number; digests: string[] } | undefined {
  let timestamp: number | undefined;
  const digests: string[] = [];
  for (const part of value.split(',')) {
    const [name, item] = part.trim().split('=', 2);
    if (name === 't' && item !== undefined && /^[0-9]{1,12}$/.test(item)) timestamp = Number(item);
    else if (name === 'v1' && item !== undefined && /^[0-9a-f]{64}$/.test(item)) digests.push(item);
  }
  return timestamp === undefined || digests.length === 0 ? undefined : { timestamp, digests };
}

/** Compares in time independent of where the strings differ. */
export function constantTimeEqual(expected: string, candidate: string): boolean {
  if (candidate.length !== expected.length) return false;
  let difference = 0;
  for (let i = 0; i < expected.length; i++) difference |= expected.charCodeAt(i) ^ candidate.charCodeAt(i);
  return difference === 0;
}
