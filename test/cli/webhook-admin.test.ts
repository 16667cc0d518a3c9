/** The operator's webhook settings (docs/callbacks.md): the secret shown once, its rotation, the URL checked when given. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from '../helpers/node-test.js';
import { json, vendcloud } from '../helpers/cli.js';

describe('vendcloud merchant webhook settings', () => {
  let dir: string;
  let db: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vendcloud-webhook-'));
    db = join(dir, 'webhook.sqlite');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const stored = async (merchantId: number) => {
    const { default: Database } = await import('better-sqlite3');
    const raw = new Database(db, { readonly: true });
    try {
      return raw.prepare('select webhook_url, webhook_secret from merchants where id = ?').get(merchantId) as { webhook_url: string | null; webhook_secret: string };
    } finally {
      raw.close();
    }
  };

  it('merchant create shows a webhook secret once; --rotate-webhook-secret replaces it and shows the new one; --webhook-url sets and none removes the URL', async () => {
    const merchant = json(await vendcloud(['merchant', 'create', '--name', 'Hooked', '--db', db, '--json']));
    assert.match(merchant.webhook_secret, /^whsec_[A-Za-z0-9_-]{43}$/);
    assert.equal((await stored(merchant.merchant_id)).webhook_secret, merchant.webhook_secret);

    const id = String(merchant.merchant_id);
    const set = json(await vendcloud(['merchant', 'set', '--merchant', id, '--webhook-url', 'https://merchant.example/hooks', '--db', db, '--json']));
    assert.deepEqual(set, { merchant_id: merchant.merchant_id, webhook_url: 'https://merchant.example/hooks' });
    assert.equal((await stored(merchant.merchant_id)).webhook_url, 'https://merchant.example/hooks');

    const rotated = json(await vendcloud(['merchant', 'set', '--merchant', id, '--rotate-webhook-secret', '--db', db, '--json']));
    assert.match(rotated.webhook_secret, /^whsec_/);
    assert.notEqual(rotated.webhook_secret, merchant.webhook_secret);
    assert.equal((await stored(merchant.merchant_id)).webhook_secret, rotated.webhook_secret);

    const human = await vendcloud(['merchant', 'set', '--merchant', id, '--webhook-url', 'none', '--db', db]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /no webhook/);
    assert.equal((await stored(merchant.merchant_id)).webhook_url, null);
  });

  it('refuses a webhook URL that is not http(s), carries credentials, or names a private address (unless allowed), with exit code 2', async () => {
    const merchant = json(await vendcloud(['merchant', 'create', '--name', 'Careful', '--db', db, '--json']));
    const id = String(merchant.merchant_id);
    for (const url of ['ftp://merchant.example/', 'https://u:p@merchant.example/', 'http://10.0.0.5/hook', 'http://169.254.169.254/', 'http://[::1]/']) {
      const result = await vendcloud(['merchant', 'set', '--merchant', id, '--webhook-url', url, '--db', db]);
      assert.equal(result.code, 2, `${url}: ${result.stderr}`);
      assert.match(result.stderr, /webhook URL refused/);
    }
    const allowed = await vendcloud(['merchant', 'set', '--merchant', id, '--webhook-url', 'http://127.0.0.1:9/hook', '--allow-private-callbacks', '--db', db]);
    assert.equal(allowed.code, 0, allowed.stderr);
  });
});
