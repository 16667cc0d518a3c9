/**
 * The merchant console (issue 14) in real headless Chromium (Debian's `chromium`, driven by
 * playwright-core) against a real server with the embedded broker and a simulated machine.
 * The steps run in order on one page, as a merchant would use it. Each page is
 * photographed: into docs/console with `npm run screenshots`, else only in memory.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from '../helpers/node-test.js';
import { CHROMIUM_PATH, needs } from '../helpers/components.js';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { VendcloudClient } from '../../src/client/index.js';
import type { MachineSimulator } from '../../src/link/machine-simulator.js';
import { MACHINE_METHOD, SERVER_TOPIC } from '../../src/protocol/machine-messages.js';
import { ensureDemoData, type DemoCredentials } from '../../src/service/demo.js';
import { clientFor } from '../helpers/client.js';
import { brokerModes, eventually, LinkedServer, simulator } from '../helpers/link.js';
import { BY_TEST, storeKinds } from '../helpers/stores.js';

/** Where `npm run screenshots` keeps the pictures (docs/console); otherwise they are taken and dropped. */
const screenshots = process.env.VENDCLOUD_SCREENSHOTS;
const embedded = brokerModes().find((mode) => mode.name === 'embedded')!;
/** Polling is every 3 s: a change made elsewhere must show within a few rounds. */
const SEEN_WITHIN_MS = 12_000;

for (const [index, kind] of storeKinds().entries()) {
  describe(`the merchant console in Chromium [${kind.name}]`, needs(kind, 'chromium'), () => {
    let linked: LinkedServer;
    let demo: DemoCredentials;
    let api: VendcloudClient;
    let machine: MachineSimulator;
    let browser: Browser;
    let page: Page;
    const requestedUrls: string[] = [];
    const scriptProblems: string[] = [];
    const photograph = async (name: string) => {
      // One set of pictures is enough: the first store's.
      const keep = screenshots !== undefined && index === 0;
      if (keep) mkdirSync(screenshots, { recursive: true });
      const png = await page.screenshot({ fullPage: true, ...(keep ? { path: join(screenshots, `${name}.png`) } : {}) });
      assert.ok(png.length > 1000, `a picture of the ${name} page`);
    };
    const liveCodes = async () => (await api.queryPickupCodes(demo.machine_no, { status: 'UNUSED', perPage: 100 })).data;

    before(async () => {
      linked = await LinkedServer.start(kind, embedded.mqtt());
      demo = await ensureDemoData(linked.store);
      api = clientFor(linked.server.url, demo);
      machine = simulator(linked.brokerUrl, { merchant: demo, machineNo: demo.machine_no, password: demo.mqtt_password, productId: demo.product_ids[0]! });
      await machine.connect();
      browser = await chromium.launch({ executablePath: CHROMIUM_PATH });
      const context = await browser.newContext({ viewport: { width: 1100, height: 720 }, locale: 'zh-CN', timezoneId: 'Europe/Berlin' });
      context.setDefaultTimeout(15_000);
      page = await context.newPage();
      page.on('request', (request) => requestedUrls.push(request.url()));
      page.on('pageerror', (error) => scriptProblems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        // Refused API calls (a wrong secret is a 401) are logged by Chromium too: those are answers, not problems.
        if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) scriptProblems.push(message.text());
      });
    });
    after(async () => {
      await browser?.close();
      await machine?.disconnect();
      await linked?.close();
    });

    it('serves /console with a strict Content-Security-Policy, in Chinese by default; a wrong AppSecret is refused with the API’s code and message', async () => {
      const response = await page.goto(`${linked.server.url}/console/`);
      const csp = response!.headers()['content-security-policy'] ?? '';
      for (const directive of ["default-src 'self'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "object-src 'none'"]) {
        assert.ok(csp.includes(directive), `CSP has ${directive}: ${csp}`);
      }
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
      await page.getByRole('heading', { name: '登录商户控制台' }).waitFor();
      assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');

      await page.getByLabel('Appid').fill(demo.appid);
      await page.getByLabel('AppSecret').fill('wrong'.repeat(6));
      await page.getByLabel(/商户 ID/).fill(String(demo.merchant_id));
      await page.getByRole('button', { name: '登录' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      assert.match(await alert.innerText(), /登录失败.*10013.*app secret is invalid/s);
      await photograph('sign-in');
    });

    it('signs in with the right secret and lists the machine with its state and live codes', async () => {
      await page.getByLabel('AppSecret').fill(demo.app_secret);
      await page.getByRole('button', { name: '登录' }).click();
      await page.getByRole('heading', { name: '我的设备' }).waitFor();
      const row = page.locator(`tr[data-machine-no="${demo.machine_no}"]`);
      await row.getByText('在线').waitFor();
      assert.match(await row.innerText(), /Lobby machine[\s\S]*运营中[\s\S]*已开启/);
      await photograph('machines');
    });

    it('creates 3 codes for a product and cancels one after confirming it', async () => {
      await page.getByRole('link', { name: demo.machine_no }).click();
      await page.getByRole('heading', { name: `设备 ${demo.machine_no}` }).waitFor();
      await page.getByLabel('为哪个商品').selectOption(String(demo.product_ids[0]));
      await page.getByLabel('数量').fill('3');
      await page.getByRole('button', { name: '生成', exact: true }).click();
      await page.getByText(/已生成 3 个取货码/).waitFor();
      await eventually(async () => (await page.locator('table.codes tbody tr').count()) === 3, 'the 3 codes are listed', SEEN_WITHIN_MS);
      const created = await liveCodes();
      assert.equal(created.length, 3);

      const victim = created[0]!;
      await page.getByRole('button', { name: `取消 ${victim.code}` }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('button', { name: '确认取消' }).click();
      await page.getByText(`取货码 ${victim.code} 已取消。`).waitFor();
      assert.deepEqual(
        (await liveCodes()).map((code) => code.id),
        created.slice(1).map((code) => code.id),
      );
      await eventually(async () => (await page.locator('table.codes tbody tr').count()) === 2, 'the cancelled code left the list', SEEN_WITHIN_MS);
      await photograph('machine');
    });

    it('cancels all codes only after the machine number is typed: a wrong number cancels nothing', async () => {
      await page.getByRole('button', { name: '取消全部取货码' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('输入设备编号').fill('12345678');
      await dialog.getByRole('button', { name: '全部取消' }).click();
      await dialog.getByRole('alert').getByText('设备编号不一致，没有取消任何取货码。').waitFor();
      assert.equal((await liveCodes()).length, 2, 'nothing was cancelled');

      await dialog.getByLabel('输入设备编号').fill(demo.machine_no);
      await dialog.getByRole('button', { name: '全部取消' }).click();
      await page.getByText('已取消 2 个取货码。').waitFor();
      assert.equal((await liveCodes()).length, 0);
      await page.getByText('没有符合条件的取货码。').waitFor();
    });

    it('shows a code redeemed at the machine’s keypad as used without a reload, and its history tells its life', async () => {
      await page.evaluate('window.stillTheSamePage = true');
      await page.getByLabel('状态').selectOption('ALL');
      const [code] = await api.createPickupCodes(demo.machine_no, { productId: demo.product_ids[1]! });
      await eventually(() => machine.codes().some((held) => held.code === code!.code), 'the machine holds the new code');
      await page.locator(`tr[data-code="${code!.code}"][data-status="UNUSED"]`).waitFor({ timeout: SEEN_WITHIN_MS });

      assert.equal((await machine.redeem(code!.code)).ok, true);
      await page.locator(`tr[data-code="${code!.code}"][data-status="USED"]`).waitFor({ timeout: SEEN_WITHIN_MS });
      assert.equal(await page.evaluate('window.stillTheSamePage'), true, 'no reload happened');

      await page.getByRole('link', { name: `记录 ${code!.code}` }).click();
      await page.getByRole('heading', { name: new RegExp(`取货码 ${code!.code}`) }).waitFor();
      const timeline = page.locator('ol.timeline');
      await timeline.getByText('设备上取货').waitFor();
      const life = await timeline.innerText();
      assert.match(life, /生成[\s\S]*商户 \d+[\s\S]*请求 ID: [0-9a-f-]{36}/);
      assert.match(life, /下发到设备（新取货码）[\s\S]*已交给 MQTT 服务器/);
      assert.match(life, new RegExp(`设备上取货[\\s\\S]*设备 ${demo.machine_no}`));
      assert.match(await page.locator('dl.facts dd.product').innerText(), /^Orange juice 300ml #\d+$/, 'the product by its name, not only its id');
      const order = page.locator('section.order');
      await order.getByRole('heading', { name: '订单' }).waitFor();
      // The keypad vended the item itself: the order's one record is picked up (order_get.md's IS_PICKED_UP).
      const records = order.getByRole('table', { name: '订单明细' }).locator('tbody tr');
      assert.equal(await records.count(), 1);
      assert.equal(await records.first().getAttribute('data-status'), 'IS_PICKED_UP');
      assert.match(await records.first().innerText(), /Orange juice 300ml\s+1\s+4\.50\s+已取货/);
      await photograph('code');
      await page.getByRole('button', { name: 'Switch to English' }).click();
      await order.getByRole('table', { name: 'Records' }).locator('td.record-state', { hasText: 'Picked up' }).waitFor();
      await page.getByRole('button', { name: '切换到中文' }).click();
      await order.locator('td.record-state', { hasText: '已取货' }).waitFor();
    });

    it('shows on a code’s page, above its life, that the machine redeemed it after it was consumed through the API', async () => {
      const [code] = await api.createPickupCodes(demo.machine_no, { productId: demo.product_ids[1]! });
      await api.consumePickupCode(demo.machine_no, { code: code!.code, productId: demo.product_ids[1]!, tradeId: `CONSOLE-${process.pid}`.padEnd(24, '0'), notifyUrl: 'https://merchant.example/n' });
      // The machine was offline meanwhile: it vended from its own list and reports on its return.
      await machine.publishRaw(SERVER_TOPIC, machine.message(MACHINE_METHOD.CODE_REDEEMED, { id: String(code!.id), used: '1', report_id: `console-${process.pid}` }));
      await eventually(() => linked.server.link!.counters.conflicts === 1, 'the conflict is recorded');

      await page.goto(`${linked.server.url}/console/#/machines/${encodeURIComponent(demo.machine_no)}/codes/${code!.id}`);
      await page.getByRole('heading', { name: new RegExp(`取货码 ${code!.code}`) }).waitFor();
      const notice = page.getByRole('alert').filter({ hasText: '取货冲突' });
      await notice.waitFor();
      assert.match(await notice.innerText(), new RegExp(`取货冲突[\\s\\S]*设备 ${demo.machine_no} 报告此取货码被取货，但它已被使用：商品可能已出货两次。`));
      assert.equal(await notice.getAttribute('data-met'), 'USED');
      const timeline = page.locator('ol.timeline');
      await timeline.getByText('设备上取货冲突').waitFor();
      assert.match(await timeline.innerText(), new RegExp(`通过接口核销[\\s\\S]*设备上取货冲突[\\s\\S]*设备 ${demo.machine_no}`));
      await photograph('code-conflict');
      await page.getByRole('button', { name: 'Switch to English' }).click();
      await page.getByRole('alert').filter({ hasText: 'Conflict' }).getByText(`Machine ${demo.machine_no} reported this code redeemed, but it was already used: the item may have left twice.`).waitFor();
      await page.getByRole('button', { name: '切换到中文' }).click();
      await notice.waitFor();
    });

    it('restocks one product, then the whole machine, to capacity, and shows the machine’s network and link profile', async () => {
      await page.getByRole('link', { name: `设备 ${demo.machine_no}` }).click();
      await page.getByRole('heading', { name: `设备 ${demo.machine_no}` }).waitFor();
      await page.locator('dd.link-profile', { hasText: '扩展' }).waitFor();
      assert.match(await page.locator('dd.network').innerText(), /wifi · -60 dBm/);
      const [water, juice] = demo.product_ids;
      const stock = async (productId: number) => (await linked.store.db.selectFrom('products').select(['inventory', 'capacity']).where('id', '=', productId).executeTakeFirstOrThrow());
      await linked.store.write(BY_TEST, ({ trx }) => trx.updateTable('products').set({ inventory: 1 }).where('id', 'in', [water!, juice!]).execute());
      await page.getByRole('button', { name: '补货 Mineral water 550ml' }).click();
      await eventually(async () => (await stock(water!)).inventory === 10, 'the water is refilled to its capacity');
      assert.equal((await stock(juice!)).inventory, 1, 'the juice is not');
      await page.getByRole('button', { name: '整机补货' }).click();
      await eventually(async () => (await stock(juice!)).inventory === 10, 'the whole machine is refilled');
      await page.locator(`tr[data-product-id="${juice}"]`, { hasText: '10 / 10' }).waitFor({ timeout: SEEN_WITHIN_MS });
      const history = await linked.store.db.selectFrom('stock_changes').select(['product_id', 'actor', 'reason']).where('product_id', 'in', [water!, juice!]).orderBy('id').execute();
      assert.deepEqual(history.map((h) => [h.product_id, h.reason]), [[water, 'restock'], [water, 'restock'], [juice, 'restock']]);
      assert.ok(history.every((h) => h.actor.startsWith('merchant:')));
      // Back to the code's page, where the next test starts.
      await page.goBack();
      await page.getByRole('heading', { name: '生命周期' }).waitFor();
    });

    it('switches to English and back', async () => {
      await page.getByRole('button', { name: 'Switch to English' }).click();
      await page.getByRole('heading', { name: 'Life of the code' }).waitFor();
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      await page.getByRole('button', { name: '切换到中文' }).click();
      await page.getByRole('heading', { name: '生命周期' }).waitFor();
    });

    it('keeps the AppSecret in this tab’s sessionStorage only (no cookie, localStorage or URL) and forgets it on sign-out', async () => {
      const secret = demo.app_secret;
      assert.deepEqual(await page.context().cookies(), []);
      assert.ok(!(await page.evaluate<string>('JSON.stringify({ ...localStorage })')).includes(secret), 'not in localStorage');
      assert.ok((await page.evaluate<string>('JSON.stringify({ ...sessionStorage })')).includes(secret), 'in sessionStorage');
      assert.ok(requestedUrls.length > 10);
      assert.ok(requestedUrls.every((url) => !url.includes(secret)), 'in no URL requested');
      assert.ok(!page.url().includes(secret));

      await page.getByRole('button', { name: '退出登录' }).click();
      await page.getByRole('heading', { name: '登录商户控制台' }).waitFor();
      const storedNow = await page.evaluate<string>('JSON.stringify({ ...sessionStorage, ...localStorage })');
      assert.ok(!storedNow.includes(secret), 'signed out: the secret is gone from the tab');
    });

    it('ran without a script error or a Content-Security-Policy violation', () => {
      assert.deepEqual(scriptProblems, []);
    });
  });
}
