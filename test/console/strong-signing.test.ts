/**
 * The console signs with the strong request signature when the merchant gives its signing
 * secret at sign-in: a merchant that requires the signature is refused without it and lists
 * its machines with it; the secret is kept, like the AppSecret, in this tab's sessionStorage
 * only, so a reload still signs. Real headless Chromium against a real server.
 */
import assert from 'node:assert/strict';
import { chromium, type Browser, type Page } from 'playwright-core';
import { rotateSigningSecret, setMerchant } from '../../src/service/admin.js';
import { ensureDemoData, type DemoCredentials } from '../../src/service/demo.js';
import { CHROMIUM_PATH, needs } from '../helpers/components.js';
import { brokerModes, LinkedServer } from '../helpers/link.js';
import { after, before, describe, it } from '../helpers/node-test.js';
import { storeKinds } from '../helpers/stores.js';

const embedded = brokerModes().find((mode) => mode.name === 'embedded')!;

for (const kind of storeKinds()) {
  describe(`the console with a merchant that requires the strong signature (${kind.name})`, needs('chromium', kind), () => {
    let linked: LinkedServer;
    let demo: DemoCredentials;
    let signingSecret: string;
    let browser: Browser;
    before(async () => {
      linked = await LinkedServer.start(kind, embedded.mqtt());
      demo = await ensureDemoData(linked.store);
      signingSecret = (await rotateSigningSecret(linked.store, demo.merchant_id)).signing_secret;
      await setMerchant(linked.store, demo.merchant_id, { requireSignature: true });
      browser = await chromium.launch({ executablePath: CHROMIUM_PATH });
    });
    after(async () => {
      await browser?.close();
      await linked?.close();
    });

    const signInPage = async (): Promise<Page> => {
      const context = await browser.newContext({ locale: 'en-US' });
      context.setDefaultTimeout(15_000);
      const page = await context.newPage();
      await page.goto(`${linked.server.url}/console/`);
      await page.getByRole('heading', { name: 'Sign in to the merchant console' }).waitFor();
      await page.getByLabel('Appid').fill(demo.appid);
      await page.getByLabel('AppSecret').fill(demo.app_secret);
      await page.getByLabel(/Merchant id/).fill(String(demo.merchant_id));
      return page;
    };

    it('without the signing secret the sign-in is refused and nothing is kept', async () => {
      const page = await signInPage();
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('#sign-in-error').getByText(/10002|signature/i).first().waitFor();
      assert.equal(await page.evaluate<number>('sessionStorage.length'), 0);
      await page.context().close();
    });

    it('with the signing secret it lists the machines, keeps the secret in sessionStorage only, and still signs after a reload', async () => {
      const page = await signInPage();
      await page.getByLabel(/signing secret/i).fill(signingSecret);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'My machines' }).waitFor();
      await page.getByRole('link', { name: demo.machine_no }).waitFor();
      const stored = await page.evaluate<string>('JSON.stringify(Object.values(sessionStorage))');
      assert.ok(stored.includes(signingSecret), 'kept in sessionStorage');
      assert.equal(await page.evaluate<number>('localStorage.length === 0 ? 0 : Object.values(localStorage).filter((v) => v.includes(' + JSON.stringify(signingSecret) + ')).length'), 0, 'never in localStorage');
      assert.equal(await page.evaluate<string>('document.cookie'), '');
      await page.reload();
      await page.getByRole('link', { name: demo.machine_no }).waitFor();
      await page.context().close();
    });
  });
}
