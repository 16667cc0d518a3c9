/**
 * The merchant's own webhook through the Open API (docs/console.md): where its events go, and
 * a new secret for their `Vendcloud-Signature`, shown once. The operator has the same through
 * `vendcloud merchant set` (service/admin.ts); these run in the transaction they are given.
 */
import type { Executor } from '../store/executor.js';
import * as merchants from '../store/repositories/merchants.repository.js';
import type { Tx } from '../store/store.js';
import { generateWebhookSecret } from './callbacks.js';

/** Where the merchant's events go (absent: nowhere), and whether a secret signs them; the secret itself is never read back. */
export async function merchantWebhook(db: Executor, merchantId: number) {
  const webhook = await merchants.webhookOf(db, merchantId);
  return { webhook_url: webhook?.webhook_url ?? null, secret_set: Boolean(webhook?.webhook_secret) };
}

/** Sends the merchant's events to `url` from now on; null sends them nowhere (none is queued). */
export async function setWebhookUrl(trx: Tx, merchantId: number, url: string | null): Promise<void> {
  await merchants.setWebhook(trx, merchantId, { url });
}

/** A new secret replaces the old one at once, for attempts not yet made too; returned to be shown once. */
export async function rotateWebhookSecret(trx: Tx, merchantId: number): Promise<{ webhook_secret: string }> {
  const secret = generateWebhookSecret();
  await merchants.setWebhook(trx, merchantId, { secret });
  return { webhook_secret: secret };
}
