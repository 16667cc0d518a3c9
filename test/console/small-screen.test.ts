/**
 * The console as a newcomer meets it: in the browser's language (English unless it prefers
 * Chinese), the choice remembered, every message said again in the language switched to, and
 * usable on a 390 px phone screen without scrolling sideways. Real headless Chromium against a
 * real server with the embedded broker.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { VendcloudClient } from '../../src/client/index.js';
import { ensureDemoData, type DemoCredentials } from '../../src/service/demo.js';
import { clientFor, tradeId } from '../helpers/client.js';
import { CHROMIUM_PATH, needs } from '../helpers/components.js';
import { brokerModes, LinkedServer } from '../helpers/link.js';
import { after, before, describe, it } from '../helpers/node-test.js';
import { storeKinds } from '../helpers/stores.js';

const embedded = brokerModes().find((mode) => mode.name === 'embedded')!;
const kind = storeKinds()[0]!;
const PHONE = { width: 390, height: 844 };
/** Wider than a phone on one line: it must wrap, not push the page sideways. */
const LONG_URL = 'https://merchant.example/webhooks/vendcloud/events/for/the/lobby/machines';

/** Where `npm run screenshots` keeps the pictures (docs/console); otherwise none are kept. */
const screenshots = process.env.VENDCLOUD_SCREENSHOTS;
const photograph = async (page: Page, name: string) => {
  if (screenshots === undefined) return;
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ fullPage: true, path: join(screenshots, `${name}.png`) });
};

/** How far the page reaches past the screen's right edge, in CSS pixels (0: no sideways scrolling). */
const overflow = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');

describe('the console on a phone, in the browser’s language', needs('chromium'), () => {
  let linked: LinkedServer;
  let demo: DemoCredentials;
  let api: VendcloudClient;
  let browser: Browser;
  before(async () => {
    linked = await LinkedServer.start(kind, embedded.mqtt());
    demo = await ensureDemoData(linked.store);
    api = clientFor(linked.server.url, demo);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH });
  });
  after(async () => {
    await browser?.close();
    await linked?.close();
  });

  const openAs = async (locale: string) => {
    const context = await browser.newContext({ viewport: PHONE, locale, isMobile: true, hasTouch: true });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await page.goto(`${linked.server.url}/console/`);
    return page;
  };

  it('opens in Chinese for a browser that prefers zh-*, in English for any other', async () => {
    const chinese = await openAs('zh-TW');
    await chinese.getByRole('heading', { name: '登录商户控制台' }).waitFor();
    assert.equal(await chinese.getAttribute('html', 'lang'), 'zh-CN');
    await chinese.context().close();
    const english = await openAs('de-DE');
    await english.getByRole('heading', { name: 'Sign in to the merchant console' }).waitFor();
    assert.equal(await english.getAttribute('html', 'lang'), 'en');
    await english.context().close();
  });

  it('at 390 px: signs in, lists the machine, creates and cancels a code, and the page never scrolls sideways', async () => {
    const page = await openAs('en-US');
    await page.getByRole('heading', { name: 'Sign in to the merchant console' }).waitFor();
    assert.equal(await overflow(page), 0, 'the sign-in page fits');
    await page.getByLabel('Appid').fill(demo.appid);
    await page.getByLabel('AppSecret').fill(demo.app_secret);
    await page.getByLabel(/Merchant id/).fill(String(demo.merchant_id));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'My machines' }).waitFor();
    assert.equal(await overflow(page), 0, 'the machine list fits');

    await page.getByRole('link', { name: demo.machine_no }).click();
    await page.getByRole('heading', { name: `Machine ${demo.machine_no}` }).waitFor();
    await page.getByRole('combobox', { name: /^For\b/ }).selectOption(String(demo.product_ids[0]));
    await page.getByLabel('Count').fill('2');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByText(/Created 2 codes/).waitFor();
    const [victim] = (await api.queryPickupCodes(demo.machine_no, { status: 'UNUSED', perPage: 100 })).data;
    await page.locator(`tr[data-code="${victim!.code}"]`).waitFor();
    assert.equal(await overflow(page), 0, 'the machine page with its codes fits');
    await photograph(page, 'phone-machine');

    await page.getByRole('button', { name: `Cancel ${victim!.code}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel the code' }).click();
    await page.getByText(`Code ${victim!.code} was cancelled.`).waitFor();

    // The message already shown is said again in the language switched to, and back.
    await page.getByRole('button', { name: '切换到中文' }).click();
    await page.getByText(`取货码 ${victim!.code} 已取消。`).waitFor();
    assert.equal(await overflow(page), 0, 'the Chinese page fits too');
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByText(`Code ${victim!.code} was cancelled.`).waitFor();

    // The choice outlives the page: Chinese chosen in an English browser stays Chinese.
    await page.getByRole('button', { name: '切换到中文' }).click();
    await page.reload();
    await page.getByRole('heading', { name: `设备 ${demo.machine_no}` }).waitFor();
    await page.context().close();
  });

  it("at 390 px: a machine's orders, an order's page, and the webhook page with a long URL never scroll sideways", async () => {
    const [code] = await api.createPickupCodes(demo.machine_no, { productId: demo.product_ids[0]! });
    const order = await api.consumePickupCode(demo.machine_no, { code: code!.code, productId: demo.product_ids[0]!, tradeId: tradeId(), notifyUrl: LONG_URL });
    await api.setWebhook(LONG_URL);
    const page = await openAs('en-US');
    await page.getByLabel('Appid').fill(demo.appid);
    await page.getByLabel('AppSecret').fill(demo.app_secret);
    await page.getByLabel(/Merchant id/).fill(String(demo.merchant_id));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'My machines' }).waitFor();

    await page.goto(`${linked.server.url}/console/#/machines/${demo.machine_no}/orders`);
    const row = page.locator(`tr[data-order-id="${order.orderId}"]`);
    await row.waitFor();
    assert.equal(await overflow(page), 0, 'the orders of the day fit');
    await row.getByRole('link', { name: String(order.orderId), exact: true }).click();
    await page.getByRole('heading', { name: `Order ${order.orderId}` }).waitFor();
    await page.locator('table.records').waitFor();
    assert.equal(await overflow(page), 0, "the order's page fits");
    await photograph(page, 'phone-order');

    await page.getByRole('link', { name: 'Webhook' }).click();
    await page.getByRole('heading', { name: 'Webhook', exact: true }).waitFor();
    await page.locator('.webhook-url', { hasText: LONG_URL }).waitFor();
    assert.equal(await overflow(page), 0, 'the webhook page fits');
    await page.context().close();
  });
});
