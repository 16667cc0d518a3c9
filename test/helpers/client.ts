/** An SDK client for a seeded merchant of a test server, and a fetch that counts its calls. */
import { VendcloudClient, type VendcloudClientOptions } from '../../src/client/index.js';
import type { MerchantCredentials } from '../../src/service/admin.js';

export function clientFor(baseUrl: string, merchant: MerchantCredentials, options: Partial<VendcloudClientOptions> = {}): VendcloudClient {
  return new VendcloudClient({
    baseUrl,
    appId: merchant.appid,
    appSecret: merchant.app_secret,
    merchantId: merchant.merchant_id,
    ...options,
  });
}

/** The real global fetch, counting attempts and keeping the bodies sent. */
export function countingFetch() {
  const sent: Array<{ url: string; method: string; body: string | undefined }> = [];
  const fetch = async (input: string, init: RequestInit) => {
    sent.push({ url: input, method: init.method ?? 'GET', body: typeof init.body === 'string' ? init.body : undefined });
    return globalThis.fetch(input, init);
  };
  return { fetch, sent };
}

let trades = 0;
/** A trade id of the accepted shape (20–32 characters), unique in this process. */
export function tradeId(): string {
  return `T${process.pid}x${Date.now()}x${++trades}`.padEnd(20, '0');
}
