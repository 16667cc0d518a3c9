/**
 * Finds merchants by Appid for authentication. Rows are cached for a bounded time
 * (`staleSeconds`), and authentication costs no query in between, except one a second at
 * most that asks which merchants' credentials changed lately (a rotated secret, a
 * suspension, any `merchant set`): their rows are dropped, so the change takes effect on
 * every instance within a second. Expiry is read from the cached row.
 */
import { ApiError, ErrorCode } from '../protocol/errors.js';
import type { Payload } from '../protocol/payload.js';
import { onlyFormOf, type SigningForm } from '../protocol/signature.js';
import * as merchants from '../store/repositories/merchants.repository.js';
import type { MerchantAccount } from '../store/repositories/merchants.repository.js';
import type { Author, Store } from '../store/store.js';
import { runChange } from './runner.js';

export type { MerchantAccount };

/** The 403s: a merchant that authenticated but may not use the API now. */
export function assertMerchantActive(merchant: MerchantAccount, now: number): void {
  // A suspended merchant is answered as the original answers one it does not let in (docs/security.md).
  if (!merchant.verified || merchant.suspended) throw new ApiError(ErrorCode.MERCHANT_NOT_VERIFIED);
  if (merchant.expires_at !== null && merchant.expires_at <= now) throw new ApiError(ErrorCode.MERCHANT_EXPIRED);
}

const MAX_CACHED = 10_000;
/** How often the cache asks which merchants' credentials changed, ms. */
const REVOCATION_CHECK_MS = 1000;

export class MerchantDirectory {
  private readonly cache = new Map<string, { merchant: MerchantAccount | undefined; fetchedAt: number }>();
  private checkedAt = Date.now();
  private checking: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly staleSeconds: number,
  ) {}

  async findByAppid(appid: string): Promise<MerchantAccount | undefined> {
    const nowMs = Date.now();
    if (this.cache.size > 0 && nowMs - this.checkedAt >= REVOCATION_CHECK_MS) await (this.checking ??= this.dropChanged(nowMs));
    const cached = this.cache.get(appid);
    if (cached && nowMs - cached.fetchedAt < this.staleSeconds * 1000) return cached.merchant;
    const merchant = await merchants.findAccountByAppid(this.store.db, appid);
    // Unknown Appids are not cached: guessing them must not fill the memory.
    if (merchant && this.staleSeconds > 0) {
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      this.cache.set(appid, { merchant, fetchedAt: nowMs });
    }
    return merchant;
  }

  /** Drops the rows changed since the last check (a second of overlap: changes are stamped in whole seconds). */
  private async dropChanged(nowMs: number): Promise<void> {
    try {
      const since = Math.floor(this.checkedAt / 1000) - 1;
      for (const appid of await merchants.appidsChangedSince(this.store.db, since)) this.cache.delete(appid);
      this.checkedAt = nowMs;
    } finally {
      this.checking = undefined;
    }
  }

  /**
   * Remembers the signing form of the merchant's accepted request, which its callbacks
   * follow under `auto` (domain/callbacks.ts), when the request tells it: a payload that
   * reads the same in several forms (`onlyFormOf`) leaves the one known before. Written only
   * when it changes, so a merchant that keeps one library costs no write per request; the
   * cached row is updated first so that concurrent requests do not write it again. A failed
   * write is not the request's failure: the row is left as it was and a later request tries
   * again.
   */
  async recordSigningForm(merchant: MerchantAccount, payload: Payload, form: SigningForm, author: Author): Promise<void> {
    const previous = merchant.request_sign_form;
    if (previous === form || !onlyFormOf(form, payload, String(merchant.id))) return;
    merchant.request_sign_form = form;
    try {
      await runChange(this.store, author, (work) => merchants.recordRequestSignForm(work.trx, merchant.id, form));
    } catch {
      merchant.request_sign_form = previous;
    }
  }
}
