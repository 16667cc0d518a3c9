/** The operator's `vendcloud` commands, run as the real binary against a real database. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from '../helpers/node-test.js';
import { request } from 'undici';
import { encodeSignedPayload } from '../../src/protocol/payload.js';
import { nowSeconds } from '../../src/protocol/time.js';
import { json, startCli, vendcloud } from '../helpers/cli.js';

describe('vendcloud admin commands', () => {
  let dir: string;
  let db: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vendcloud-cli-'));
    db = join(dir, 'nested', 'admin.sqlite');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a merchant, a machine and a product, each printing one JSON line with --json', async () => {
    const merchant = await vendcloud(['merchant', 'create', '--name', 'Acme Vending', '--db', db, '--json']);
    assert.equal(merchant.code, 0, merchant.stderr);
    const m = json(merchant);
    assert.deepEqual(Object.keys(m).sort(), ['app_secret', 'appid', 'merchant_id', 'webhook_secret']);
    assert.match(m.appid, /^ds[0-9a-f]{16}$/);
    assert.match(m.app_secret, /^[A-Za-z0-9]{32}$/);
    assert.equal(merchant.stdout.trim().split('\n').length, 1);

    const machine = await vendcloud(['machine', 'create', '--merchant', String(m.merchant_id), '--machine-no', '12345678901234', '--name', 'Lobby', '--pickup-codes', 'on', '--db', db, '--json']);
    assert.equal(machine.code, 0, machine.stderr);
    const mc = JSON.parse(machine.stdout);
    assert.equal(mc.machine_no, '12345678901234');
    assert.ok(mc.machine_id > 0);
    assert.match(mc.mqtt_password, /^[A-Za-z0-9]{32}$/);

    const product = await vendcloud(['product', 'create', '--machine-no', '12345678901234', '--name', 'Water', '--price', '1.50', '--capacity', '10', '--inventory', '7', '--channel', 'A1', '--category', 'Drinks', '--db', db, '--json']);
    assert.equal(product.code, 0, product.stderr);
    assert.ok(JSON.parse(product.stdout).id > 0);

    const set = await vendcloud(['machine', 'set', '--machine-no', '12345678901234', '--operating', 'off', '--db', db, '--json']);
    assert.equal(set.code, 0, set.stderr);
  });

  it('product set --inventory and product restock change stock within 0..capacity, with history; a stock above capacity is refused', async () => {
    const { default: Database } = await import('better-sqlite3');
    const read = <T>(query: string, ...args: unknown[]): T[] => {
      const raw = new Database(db, { readonly: true });
      try {
        return raw.prepare(query).all(...args) as T[];
      } finally {
        raw.close();
      }
    };
    const [water] = read<{ id: number }>("select id from products where name = 'Water'");
    const stock = () => read<{ inventory: number }>('select inventory from products where id = ?', water!.id)[0]!.inventory;
    const set = await vendcloud(['product', 'set', '--id', String(water!.id), '--inventory', '3', '--db', db]);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(stock(), 3);
    const above = await vendcloud(['product', 'set', '--id', String(water!.id), '--inventory', '11', '--db', db]);
    assert.equal(above.code, 2);
    assert.equal(stock(), 3, 'unchanged');
    const restock = await vendcloud(['product', 'restock', '--machine-no', '12345678901234', '--db', db, '--json']);
    assert.equal(restock.code, 0, restock.stderr);
    assert.deepEqual(JSON.parse(restock.stdout), { machine_no: '12345678901234', restocked: 1 });
    assert.equal(stock(), 10, 'refilled to capacity');
    const history = read<{ inventory_to: number; actor: string; reason: string }>('select inventory_to, actor, reason from stock_changes where product_id = ? order by id', water!.id);
    assert.deepEqual(history, [
      { inventory_to: 3, actor: 'operator', reason: 'set' },
      { inventory_to: 10, actor: 'operator', reason: 'restock' },
    ]);
    // Said to a person: one product is "1 product", not "1 product(s)".
    assert.equal((await vendcloud(['product', 'set', '--id', String(water!.id), '--inventory', '5', '--db', db])).code, 0);
    const told = await vendcloud(['product', 'restock', '--machine-no', '12345678901234', '--db', db]);
    assert.equal(told.code, 0, told.stderr);
    assert.equal(told.stdout.trim(), '1 product of machine 12345678901234 restocked');
  });

  it('machine set --link original|extended|auto sets the link profile the operator chose', async () => {
    const mode = async () => {
      const { default: Database } = await import('better-sqlite3');
      const raw = new Database(db, { readonly: true });
      try {
        return (raw.prepare('select link_mode from machines where machine_no = ?').get('12345678901234') as { link_mode: string }).link_mode;
      } finally {
        raw.close();
      }
    };
    assert.equal(await mode(), 'auto', 'auto by default: original until the machine says otherwise');
    for (const link of ['extended', 'original', 'auto']) {
      const set = await vendcloud(['machine', 'set', '--machine-no', '12345678901234', '--link', link, '--db', db]);
      assert.equal(set.code, 0, set.stderr);
      assert.equal(await mode(), link);
    }
  });

  it('merchant list, machine list and product list show what the other commands made, as tables or JSON, and never a secret', async () => {
    const made = json(await vendcloud(['merchant', 'create', '--name', 'Listed Vending', '--db', db, '--json']));
    const other = json(await vendcloud(['merchant', 'create', '--name', 'Other Vending', '--db', db, '--json']));
    assert.equal((await vendcloud(['machine', 'create', '--merchant', String(made.merchant_id), '--machine-no', '55500011', '--name', 'Hall', '--db', db])).code, 0);
    assert.equal((await vendcloud(['machine', 'create', '--merchant', String(other.merchant_id), '--machine-no', '55500022', '--name', 'Gate', '--db', db])).code, 0);
    assert.equal((await vendcloud(['product', 'create', '--machine-no', '55500011', '--name', 'Tea', '--price', '2.50', '--capacity', '8', '--inventory', '3', '--channel', 'A1', '--db', db])).code, 0);
    assert.equal((await vendcloud(['machine', 'set', '--machine-no', '55500011', '--operating', 'off', '--db', db])).code, 0);

    const merchants = await vendcloud(['merchant', 'list', '--db', db, '--json']);
    assert.equal(merchants.code, 0, merchants.stderr);
    const listed = JSON.parse(merchants.stdout).find((m: { merchant_id: number }) => m.merchant_id === made.merchant_id);
    assert.deepEqual([listed.name, listed.appid, listed.machines], ['Listed Vending', made.appid, 1]);
    assert.ok(!merchants.stdout.includes(made.app_secret) && !merchants.stdout.includes(made.webhook_secret), 'no secret is listed');

    const machines = json(await vendcloud(['machine', 'list', '--merchant', String(made.merchant_id), '--db', db, '--json']));
    assert.deepEqual(
      machines.map((m: { machine_no: string; name: string; operating: boolean; pickup_codes: boolean }) => [m.machine_no, m.name, m.operating, m.pickup_codes]),
      [['55500011', 'Hall', false, false]],
      "only that merchant's machine, switched out of operation by machine set",
    );

    const products = json(await vendcloud(['product', 'list', '--machine-no', '55500011', '--db', db, '--json']));
    assert.deepEqual(products.map((p: { name: string; price: string; inventory: number; capacity: number }) => [p.name, p.price, p.inventory, p.capacity]), [['Tea', '2.50', 3, 8]]);

    const table = await vendcloud(['machine', 'list', '--db', db, '--time-zone', 'Asia/Shanghai']);
    assert.match(table.stdout.split('\n')[0]!, /^MACHINE_NO\s+MERCHANT_ID\s+NAME\s+OPERATING\s+PICKUP_CODES\s+ONLINE\s+LAST_SEEN \(Asia\/Shanghai\)$/);
    assert.match(table.stdout, /55500022\s+\d+\s+Gate/);
    const unknown = await vendcloud(['product', 'list', '--machine-no', '99999999', '--db', db]);
    assert.deepEqual([unknown.code, unknown.stderr.trim()], [2, 'vendcloud: no machine 99999999']);
  });

  it('merchant set --require-nonce on|off switches the merchant’s strict replay protection', async () => {
    const merchant = json(await vendcloud(['merchant', 'create', '--name', 'Strict', '--db', db, '--json']));
    const flag = async () => {
      const { default: Database } = await import('better-sqlite3');
      const raw = new Database(db, { readonly: true });
      try {
        return (raw.prepare('select require_nonce from merchants where id = ?').get(merchant.merchant_id) as { require_nonce: number }).require_nonce;
      } finally {
        raw.close();
      }
    };
    assert.equal(await flag(), 0, 'off by default');
    const on = await vendcloud(['merchant', 'set', '--merchant', String(merchant.merchant_id), '--require-nonce', 'on', '--db', db, '--json']);
    assert.equal(on.code, 0, on.stderr);
    assert.deepEqual(JSON.parse(on.stdout), { merchant_id: merchant.merchant_id, require_nonce: true });
    assert.equal(await flag(), 1);
    const off = await vendcloud(['merchant', 'set', '--merchant', String(merchant.merchant_id), '--require-nonce', 'off', '--db', db]);
    assert.equal(off.code, 0, off.stderr);
    assert.match(off.stdout, /writes without a nonce are accepted/);
    assert.equal(await flag(), 0);
    const help = await vendcloud(['merchant', 'set', '--help']);
    assert.match(help.stdout, /Idempotency-Key/);
    assert.match(help.stdout, /two identical creates make two sets/);
  });

  it('never stores a secret in the clear', async () => {
    const merchant = json(await vendcloud(['merchant', 'create', '--name', 'Secretive', '--db', db, '--json']));
    const { default: Database } = await import('better-sqlite3');
    const raw = new Database(db, { readonly: true });
    try {
      const rows = raw.prepare('select app_secret_hash from merchants').all() as Array<{ app_secret_hash: string }>;
      assert.ok(rows.every((r) => r.app_secret_hash.startsWith('sha256:') && !r.app_secret_hash.includes(merchant.app_secret)));
      const machines = raw.prepare('select mqtt_password_hash from machines').all() as Array<{ mqtt_password_hash: string }>;
      assert.ok(machines.every((r) => r.mqtt_password_hash.startsWith('sha256:')));
    } finally {
      raw.close();
    }
  });

  it('answers a bad flag or value with one line on stderr and exit code 2, never a stack trace', async () => {
    const cases = [
      ['merchant', 'create', '--db', db],
      ['machine', 'create', '--merchant', 'x', '--machine-no', '12345678', '--db', db],
      ['machine', 'create', '--merchant', '1', '--machine-no', '12ab5678', '--db', db],
      ['machine', 'create', '--merchant', '999', '--machine-no', '87654321', '--db', db],
      ['machine', 'create', '--merchant', '1', '--machine-no', '12345678901234', '--db', db],
      ['machine', 'create', '--merchant', '1', '--machine-no', '22345678', '--pickup-codes', 'maybe', '--db', db],
      ['machine', 'set', '--machine-no', '99999999', '--operating', 'on', '--db', db],
      ['machine', 'set', '--machine-no', '12345678901234', '--link', 'modern', '--db', db],
      ['product', 'restock', '--machine-no', '12345678901234', '--product', '99999', '--db', db],
      ['product', 'set', '--id', '99999', '--inventory', '1', '--db', db],
      ['merchant', 'set', '--merchant', '999', '--require-nonce', 'on', '--db', db],
      ['merchant', 'set', '--merchant', '1', '--require-nonce', 'sometimes', '--db', db],
      ['merchant', 'set', '--merchant', '1', '--db', db],
      ['product', 'create', '--machine-no', '12345678901234', '--name', 'X', '--price', 'free', '--capacity', '1', '--inventory', '1', '--db', db],
      ['product', 'create', '--machine-no', '12345678901234', '--name', 'X', '--price', '1.00', '--capacity', '1', '--inventory', '5', '--db', db],
      ['product', 'create', '--machine-no', '12345678901234', '--name', 'X', '--price', '1.00', '--capacity', '0', '--inventory', '0', '--db', db],
      ['serve', '--port', 'eighty'],
      ['no-such-command'],
    ];
    for (const args of cases) {
      const result = await vendcloud(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.equal(result.stderr.trim().split('\n').length, 1, `${args.join(' ')}: ${result.stderr}`);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
      assert.equal(result.stdout, '');
    }
  });

  it('serve --demo seeds once, prints working credentials, and rotates them on every start', async () => {
    const demoDb = join(dir, 'demo.sqlite');
    const readyLine = /AppSecret\s+\S+[\s\S]*product ids/;
    const first = startCli(['serve', '--demo', '--port', '0', '--db', demoDb], readyLine, { LOG_LEVEL: 'warn' });
    const banner = await first.started;
    const url = /Open API\s+(\S+)/.exec(banner)![1]!;
    const appid = /Appid\s+(\S+)/.exec(banner)![1]!;
    const secret = /AppSecret\s+(\S+)/.exec(banner)![1]!;
    const merchantId = /merchant_id\s+(\d+)/.exec(banner)![1]!;
    const ping = await request(`${url}/ping`, { method: 'POST', headers: { appid, appsecret: secret } });
    assert.deepEqual(await ping.body.json(), { code: 0, message: 'ok', data: 'pong' });
    const payload = encodeSignedPayload({ machine_no: '10000001', timestamp: String(nowSeconds()) }, merchantId);
    const products = await request(`${url}/products`, { method: 'POST', headers: { appid, appsecret: secret }, body: JSON.stringify({ payload }) });
    const body = (await products.body.json()) as { code: number; data: { total: number } };
    assert.equal(body.code, 0);
    assert.equal(body.data.total, 3);
    assert.equal(await first.stop(), 0);

    const second = startCli(['serve', '--demo', '--port', '0', '--db', demoDb], readyLine, { LOG_LEVEL: 'warn' });
    const banner2 = await second.started;
    const url2 = /Open API\s+(\S+)/.exec(banner2)![1]!;
    assert.equal(/Appid\s+(\S+)/.exec(banner2)![1], appid, 'the same demo merchant');
    const secret2 = /AppSecret\s+(\S+)/.exec(banner2)![1]!;
    assert.notEqual(secret2, secret);
    const old = await request(`${url2}/ping`, { method: 'POST', headers: { appid, appsecret: secret } });
    assert.equal(((await old.body.json()) as { code: number }).code, 10013, 'the previous secret no longer works');
    const fresh = await request(`${url2}/ping`, { method: 'POST', headers: { appid, appsecret: secret2 } });
    assert.equal(((await fresh.body.json()) as { code: number }).code, 0);
    assert.equal(await second.stop(), 0);
  });

  it('migrate brings an empty database up to date', async () => {
    const result = await vendcloud(['migrate', '--db', join(dir, 'migrate.sqlite'), '--json']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { migrated: true });
  });
});
