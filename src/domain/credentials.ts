/**
 * Merchant and machine credentials. Secrets are generated here (32 random characters),
 * shown once, and stored only as a SHA-256 digest. A slow password hash buys nothing for
 * a secret with ~190 bits of entropy and would cost every request; the digest is compared
 * in constant time.
 */
import { hash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function generateSecret(length = 32): string {
  let secret = '';
  for (let i = 0; i < length; i++) secret += SECRET_ALPHABET[randomInt(SECRET_ALPHABET.length)];
  return secret;
}

/** `ds` followed by 16 lowercase hex characters, like the original's Appids. */
export function generateAppid(): string {
  return `ds${randomBytes(8).toString('hex')}`;
}

export function hashSecret(secret: string): string {
  // The one-shot digest: every request hashes the AppSecret it presents, and a Hash object
  // per request cost twice as much (issue 13's profile).
  return `sha256:${hash('sha256', secret, 'hex')}`;
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const expected = Buffer.from(storedHash, 'utf8');
  const actual = Buffer.from(hashSecret(secret), 'utf8');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** What a merchant may present as its Appid: the original's `ds…` ones and any like them. */
export function isAppid(text: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}$/.test(text);
}

/** A secret as `hashSecret` stores it. */
export function isSecretHash(text: string): boolean {
  return /^sha256:[0-9a-f]{64}$/.test(text);
}
