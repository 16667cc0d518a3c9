/**
 * Creates two pickup codes, lists the product's live codes, cancels one, and shows it
 * among the cancelled ones. Against the demo server (`npm start` prints the credentials):
 *
 *   export VENDCLOUD_URL=http://127.0.0.1:8080 VENDCLOUD_APPID=ds... VENDCLOUD_APPSECRET=... VENDCLOUD_MERCHANT_ID=1
 *   npm run build && node dist/examples/create-list-cancel.js 10000001 1
 */
// In your own project: import { ... } from 'vendcloud-client' (the package `npm run pack:sdk` makes; docs/sdk.md).
import { NetworkError, OpenApiError, VendcloudClient } from '../src/client/index.js';

const SETTINGS = ['VENDCLOUD_URL', 'VENDCLOUD_APPID', 'VENDCLOUD_APPSECRET', 'VENDCLOUD_MERCHANT_ID'];

function setting(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`set ${name}: this example needs ${SETTINGS.join(', ')} (npm start prints them)`);
    process.exit(2);
  }
  return value;
}

const [machineNo = '10000001', product = '1'] = process.argv.slice(2);
const productId = Number(product);

const client = new VendcloudClient({
  baseUrl: setting('VENDCLOUD_URL'),
  appId: setting('VENDCLOUD_APPID'),
  appSecret: setting('VENDCLOUD_APPSECRET'),
  merchantId: setting('VENDCLOUD_MERCHANT_ID'),
});

try {
  const tomorrow = new Date(Date.now() + 24 * 3600 * 1000);
  const codes = await client.createPickupCodes(machineNo, { productId, count: 2, expiredAt: tomorrow });
  console.log(`created: ${codes.map((c) => `#${c.id} ${c.code} (expires ${c.expiredAt?.toISOString()})`).join(', ')}`);

  const live = await client.listPickupCodes(machineNo, productId);
  console.log(`product ${productId} now has ${live.length} live code(s): ${live.map((c) => c.code).join(' ')}`);

  const [first] = codes;
  if (first) {
    await client.cancelPickupCode(machineNo, first.id);
    const cancelled = await client.queryPickupCodes(machineNo, { productId, status: 'CANCELLED', perPage: 100 });
    const shown = cancelled.data.find((c) => c.id === first.id);
    console.log(`cancelled #${first.id} at ${shown?.cancelledAt?.toISOString()}; ${cancelled.total} cancelled code(s) in all`);
  }
} catch (error) {
  if (error instanceof OpenApiError) {
    // Business failures carry details in `data`, e.g. data.order_id for 10025 (code already used).
    console.error(`API error ${error.code} ${error.message} (HTTP ${error.httpStatus}, request ${error.requestId})`);
    console.error(`  what happened: ${error.explanation.meaning}\n  what to do: ${error.explanation.fix}`);
    process.exitCode = 1;
  } else if (error instanceof NetworkError) {
    console.error(`no answer after ${error.attempts} attempt(s): ${error.message}`);
    process.exitCode = 3;
  } else {
    throw error;
  }
}
