/**
 * The console's lifecycle pages (issue 22, point 4) in real headless Chromium against a real
 * server, its embedded broker and simulated machines, on every store: a machine's orders of
 * the day, an order delivered from its page with the status followed live, its callbacks'
 * attempts and a resend, a channel's test vend, the webhook set, its secret rotated (shown
 * once) and cleared, and the pushes a machine has not been sent. Nothing waits on a clock:
 * each step waits for what the page shows. Photographed like console.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { verifyWebhook, type VendcloudClient } from '../../src/client/index.js';
import type { MachineSimulator } from '../../src/link/machine-simulator.js';
import { ensureDemoData, type DemoCredentials } from '../../src/service/demo.js';
import { clientFor, tradeId } from '../helpers/client.js';
import { CHROMIUM_PATH, needs } from '../helpers/components.js';
import { eventually, LinkedServer, seedMachine, simulator } from '../helpers/link.js';
import { after, before, describe, it } from '../helpers/node-test.js';
import { Receiver } from '../helpers/receiver.js';
import { startTestServer } from '../helpers/server.js';
import { storeKinds } from '../helpers/stores.js';

const screenshots = process.env.VENDCLOUD_SCREENSHOTS;

for (const [index, kind] of storeKinds().entries()) {
  describe(`the console's lifecycle pages in Chromium [${kind.name}]`, needs(kind, 'chromium'), () => {
    let linked: LinkedServer;
    let receiver: Receiver;
    let demo: DemoCredentials;
    let api: VendcloudClient;
    const machines: MachineSimulator[] = [];
    let browser: Browser;
    let page: Page;
    const scriptProblems: string[] = [];
    const photograph = async (name: string) => {
      const keep = screenshots !== undefined && index === 0;
      if (keep) mkdirSync(screenshots, { recursive: true });
      const png = await page.screenshot({ fullPage: true, ...(keep ? { path: join(screenshots, `${name}.png`) } : {}) });
      assert.ok(png.length > 1000, `a picture of the ${name} page`);
    };
    /** A code of the demo machine's water, consumed through the API: an order waiting for its delivery. */
    const consumedOrder = async () => {
      const [code] = await api.createPickupCodes(demo.machine_no, { productId: demo.product_ids[0]! });
      return api.consumePickupCode(demo.machine_no, { code: code!.code, productId: demo.product_ids[0]!, tradeId: tradeId(), notifyUrl: `${receiver.url}/notify` });
    };

    before(async () => {
      receiver = await Receiver.start();
      linked = await LinkedServer.start(kind, { mode: 'embedded', host: '127.0.0.1', port: 0 }, {}, { callbacks: { allowPrivate: true, pollIntervalMs: 100 } });
      demo = await ensureDemoData(linked.store);
      api = clientFor(linked.server.url, demo);
      const machine = simulator(linked.brokerUrl, { merchant: demo, machineNo: demo.machine_no, password: demo.mqtt_password, productId: demo.product_ids[0]! }, { vendMs: 50 });
      machines.push(machine);
      await machine.connect();
      browser = await chromium.launch({ executablePath: CHROMIUM_PATH });
      const context = await browser.newContext({ viewport: { width: 1100, height: 720 }, locale: 'zh-CN', timezoneId: 'Europe/Berlin' });
      context.setDefaultTimeout(15_000);
      page = await context.newPage();
      page.on('pageerror', (error) => scriptProblems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) scriptProblems.push(message.text());
      });
      await page.goto(`${linked.server.url}/console/`);
      await page.getByLabel('Appid').fill(demo.appid);
      await page.getByLabel('AppSecret').fill(demo.app_secret);
      await page.getByLabel(/商户 ID/).fill(String(demo.merchant_id));
      await page.getByRole('button', { name: '登录' }).click();
      await page.getByRole('heading', { name: '我的设备' }).waitFor();
    });
    after(async () => {
      await browser?.close();
      for (const machine of machines) await machine.disconnect();
      await linked?.close();
      await receiver?.close();
    });

    it("lists the machine's orders of the day and opens one: its record delivered from the page, the delivery followed live to 出货完成", async () => {
      const order = await consumedOrder();
      const recordId = order.records[0]!.id;
      await page.goto(`${linked.server.url}/console/#/machines/${demo.machine_no}`);
      await page.getByRole('link', { name: /订单/ }).click();
      await page.getByRole('heading', { name: `设备 ${demo.machine_no} 的订单` }).waitFor();
      const row = page.locator(`tr[data-order-id="${order.orderId}"]`);
      assert.match(await row.innerText(), /2\.00[\s\S]*Mineral water 550ml × 1 · 未取货/);
      await photograph('orders');

      await row.getByRole('link', { name: String(order.orderId) }).click();
      await page.getByRole('heading', { name: `订单 ${order.orderId}` }).waitFor();
      await page.getByText('还没有出货。').waitFor();
      await page.getByRole('button', { name: `出货：明细 ${recordId}` }).click();
      await page.getByText(/已向设备发出出货指令/).waitFor();
      const delivery = page.locator('table.deliveries tbody tr');
      await delivery.locator('.delivery-state', { hasText: '出货完成' }).waitFor();
      await page.locator(`tr[data-record-id="${recordId}"] .record-state`, { hasText: '出货完成' }).waitFor();
      assert.equal(await page.getByRole('button', { name: `出货：明细 ${recordId}` }).count(), 0, 'a delivered record offers no second delivery');
    });

    it("shows the order's callback with each attempt (time, outcome, HTTP status, latency) and sends it again", async () => {
      const callback = page.locator('article.callback[data-state="delivered"]').first();
      await callback.waitFor();
      const id = await callback.getAttribute('data-callback-id');
      assert.match(await callback.innerText(), /device\.delivery\.response[\s\S]*已送达[\s\S]*成功\s+200/);
      const before = receiver.on('/notify').length;
      await callback.getByRole('button', { name: `重发回调 ${id}` }).click();
      await page.getByText(`回调 ${id} 已重新排队，马上发送。`).waitFor();
      await page.locator(`article.callback[data-callback-id="${id}"] table.attempts tbody tr`).nth(1).waitFor();
      assert.equal(receiver.on('/notify').length, before + 1, 'sent once more');
      await photograph('order');
    });

    it("tests a channel from the machine's page and follows the test vend to 出货完成", async () => {
      await page.goto(`${linked.server.url}/console/#/machines/${demo.machine_no}`);
      await page.getByRole('heading', { name: '测试货道' }).waitFor();
      await page.locator('select[name="channel"]').selectOption('A2');
      await page.getByLabel('结果通知地址').fill(`${receiver.url}/test-vend`);
      await page.getByRole('button', { name: '测试出货', exact: true }).click();
      await page.locator('.test-vend-state', { hasText: '出货完成' }).waitFor();
      assert.match(await page.locator('.test-vend-state').innerText(), /^测试出货 \d+：出货完成/);
    });

    it("counts the pushes a machine has not been sent, with the oldest, on a server whose machine link is down", async () => {
      // Without a link (no broker) every push waits, as it does while the broker is unreachable.
      const unlinked = await startTestServer(kind);
      const context = await browser.newContext({ viewport: { width: 1100, height: 720 }, locale: 'zh-CN' });
      try {
        const waiting = await seedMachine(unlinked.store);
        await clientFor(unlinked.url, waiting.merchant).createPickupCodes(waiting.machineNo, { productId: waiting.productId, count: 2 });
        const other = await context.newPage();
        await other.goto(`${unlinked.url}/console/`);
        await other.getByLabel('Appid').fill(waiting.merchant.appid);
        await other.getByLabel('AppSecret').fill(waiting.merchant.app_secret);
        await other.getByLabel(/商户 ID/).fill(String(waiting.merchant.merchant_id));
        await other.getByRole('button', { name: '登录' }).click();
        await other.getByRole('heading', { name: '我的设备' }).waitFor();
        await other.goto(`${unlinked.url}/console/#/machines/${waiting.machineNo}`);
        const unsent = other.locator('.unsent-pushes');
        await unsent.locator('time').waitFor();
        assert.match(await unsent.innerText(), /^2 · \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      } finally {
        await context.close();
        await unlinked.close();
      }
    });

    it("shows none waiting on a machine's page once the link has handed its pushes on", async () => {
      await page.goto(`${linked.server.url}/console/#/machines/${demo.machine_no}`);
      await page.locator('.unsent-pushes', { hasText: '无' }).waitFor();
      await photograph('machine-lifecycle');
    });

    it('sets the webhook, rotates its secret (shown once) and signs the events with it, lists their attempts, and clears it', async () => {
      await page.getByRole('link', { name: 'Webhook' }).click();
      await page.getByRole('heading', { name: '事件通知（Webhook）' }).waitFor();
      await page.locator('.webhook-url', { hasText: '未设置' }).waitFor();
      await page.getByLabel('Webhook 地址').fill(`${receiver.url}/events`);
      await page.getByRole('button', { name: '保存地址' }).click();
      await page.getByText('Webhook 地址已保存。').waitFor();
      await page.locator('.webhook-url', { hasText: `${receiver.url}/events` }).waitFor();

      await page.getByRole('button', { name: '更换签名密钥' }).click();
      await page.getByRole('dialog').getByRole('button', { name: '确认更换' }).click();
      const secret = await page.locator('.new-secret code').innerText();
      assert.match(secret, /^whsec_/);

      const order = await consumedOrder();
      await api.deliver(demo.machine_no, order.orderId, order.records[0]!.id);
      await eventually(() => receiver.on('/events').length > 0, 'an event reached the webhook', 15_000);
      const event = receiver.on('/events')[0]!;
      assert.ok(verifyWebhook(event.headers as Record<string, string>, event.body, secret), 'the event is signed with the secret the page showed');
      const listed = page.locator('article.callback', { hasText: `${receiver.url}/events` }).first();
      await listed.locator('tr[data-outcome="delivered"]').waitFor();
      await photograph('webhook');

      await page.reload();
      await page.getByRole('heading', { name: '事件通知（Webhook）' }).waitFor();
      await page.locator('.webhook-url', { hasText: `${receiver.url}/events` }).waitFor();
      assert.equal(await page.locator('.new-secret').count(), 0, 'the secret is not shown again');

      await page.getByRole('button', { name: 'Switch to English' }).click();
      await page.getByRole('heading', { name: 'Webhook' }).waitFor();
      await page.getByRole('button', { name: 'Clear the URL' }).click();
      await page.getByText('The webhook URL is cleared: no events are sent.').waitFor();
      await page.locator('.webhook-url', { hasText: 'not set' }).waitFor();
      assert.deepEqual(await api.getWebhook(), { secretSet: true });
      await page.getByRole('button', { name: '切换到中文' }).click();
      await page.getByRole('heading', { name: '事件通知（Webhook）' }).waitFor();
    });

    it('ran without a script error or a CSP violation', () => {
      assert.deepEqual(scriptProblems, []);
    });
  });
}
