/**
 * Finds merchants by Appid for authentication. Rows are cached for a bounded time
 * (`staleSeconds`), and authentication costs no query in between, except one a second at
 * most that asks which merchants' credentials changed lately (a rotated secret, a
 * suspension, any `merchant set`): their rows are dropped, so the change takes effect on
 * every instance within a second (polled-cache.ts). Expiry is read from the cached row.
 */
import { ApiError, ErrorCode } from '../protocol/errors.js';
import type { Payload } from '../protocol/payload.js';
import { onlyFormOf, type SigningForm } from '../protocol/signature.js';
import * as merchants from '../store/repositories/merchants.repository.js';
import type { MerchantAccount } from '../store/repositories/merchants.repository.js';
import type { Author, Store } from '../store/store.js';
import { PolledCache } from './polled-cache.js';
import { runChange } from './runner.js';

export type { MerchantAccount };

/** The 403s: a merchant that authenticated but may not use the API now. */
export function assertMerchantActive(merchant: MerchantAccount, now: number): void {
  // A suspended merchant is answered as the original answers one it does not let in (docs/security.md).
  if (!merchant.verified || merchant.suspended) throw new ApiError(ErrorCode.MERCHANT_NOT_VERIFIED);
  if (merchant.expires_at !== null && merchant.expires_at <= now) throw new ApiError(ErrorCode.MERCHANT_EXPIRED);
}

export class MerchantDirectory {
  private readonly cache: PolledCache<MerchantAccount>;

  constructor(
    private readonly store: Store,
    staleSeconds: number,
  ) {
    this.cache = new PolledCache(staleSeconds, merchants.appidsChangedSince);
  }

  findByAppid(appid: string): Promise<MerchantAccount | undefined> {
    return this.cache.find(this.store.db, appid, () => merchants.findAccountByAppid(this.store.db, appid));
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
