/**
 * The SDK installs into a merchant's own project: `npm run pack:sdk` makes the package
 * `vendcloud-client` (the client, the protocol it speaks, their types, one dependency), npm
 * installs it from the tarball into an empty project, and docs/sdk.md's example, importing it by
 * name, runs against a real server; the TypeScript compiler finds its types.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from '../helpers/node-test.js';
import { seedMerchant, startTestServer, type MerchantFixture, type TestServer } from '../helpers/server.js';
import { ROOT } from '../helpers/source-tree.js';
import { storeKinds } from '../helpers/stores.js';

const run = promisify(execFile);

describe('the SDK packed for a merchant’s own project', () => {
  let server: TestServer;
  let merchant: MerchantFixture;
  let project: string;
  before(async () => {
    server = await startTestServer(storeKinds()[0]!);
    merchant = await seedMerchant(server.store, { products: 1 });
    project = mkdtempSync(join(tmpdir(), 'merchant-project-'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'merchant-project', private: true, type: 'module' }));
  });
  after(async () => {
    await server.close();
    rmSync(project, { recursive: true, force: true });
  });

  it('npm installs the tarball, and the example of docs/sdk.md runs with it by name: codes created, listed, one cancelled', { timeout: 120_000 }, async () => {
    const { stdout: packed } = await run(process.execPath, [join(ROOT, 'scripts/pack-sdk.mjs'), project]);
    const tarball = packed.trim();
    assert.match(tarball, /vendcloud-client-\d+\.\d+\.\d+\.tgz$/);
    // A merchant's npm fetches the one dependency from the registry; a test machine may have
    // none, so the same version comes from this project's own node_modules, packed beside it.
    const { stdout: hashes } = await run('npm', ['pack', '--silent', '--pack-destination', project, join(ROOT, 'node_modules/@noble/hashes')]);
    await run('npm', ['install', '--offline', '--no-audit', '--no-fund', join(project, hashes.trim()), tarball], { cwd: project });
    const installed = JSON.parse(readFileSync(join(project, 'node_modules/vendcloud-client/package.json'), 'utf8'));
    assert.deepEqual(Object.keys(installed.dependencies), ['@noble/hashes'], 'nothing of the server comes along');

    const example = readFileSync(join(ROOT, 'dist/examples/create-list-cancel.js'), 'utf8');
    assert.ok(example.includes("from '../src/client/index.js'"), 'the example imports the SDK alone');
    writeFileSync(join(project, 'example.js'), example.replace("from '../src/client/index.js'", "from 'vendcloud-client'"));
    const machine = merchant.machines[0]!;
    const env = {
      ...process.env,
      VENDCLOUD_URL: server.url,
      VENDCLOUD_APPID: merchant.appid,
      VENDCLOUD_APPSECRET: merchant.app_secret,
      VENDCLOUD_MERCHANT_ID: String(merchant.merchant_id),
    };
    const { stdout } = await run(process.execPath, ['example.js', machine.machine_no, String(machine.productIds[0])], { cwd: project, env });
    assert.match(stdout, /^created: #\d+ \d{6} \(expires .*\), #\d+ \d{6}/m);
    assert.match(stdout, /now has 2 live code\(s\)/);
    assert.match(stdout, /^cancelled #\d+ at \d{4}-\d\d-\d\dT.*; 1 cancelled code\(s\) in all$/m);
  });

  it('without its settings the example says which it needs and exits 2, without a stack trace', async () => {
    const { VENDCLOUD_URL: _url, ...bare } = process.env;
    const failed = await run(process.execPath, ['example.js'], { cwd: project, env: { ...bare, VENDCLOUD_URL: '' } }).then(
      () => assert.fail('the example ran without its settings'),
      (error: { code: number; stderr: string }) => error,
    );
    assert.equal(failed.code, 2);
    assert.equal(failed.stderr.trim(), 'set VENDCLOUD_URL: this example needs VENDCLOUD_URL, VENDCLOUD_APPID, VENDCLOUD_APPSECRET, VENDCLOUD_MERCHANT_ID (npm start prints them)');
  });

  it('its types come with it: a TypeScript file using it compiles in the merchant project', { timeout: 60_000 }, async () => {
    writeFileSync(
      join(project, 'check.ts'),
      [
        "import { VendcloudClient, OpenApiError, type PickupCode } from 'vendcloud-client';",
        "const client = new VendcloudClient({ baseUrl: 'http://127.0.0.1:1', appId: 'ds0', appSecret: 's', merchantId: '1' });",
        "const codes: Promise<PickupCode[]> = client.createPickupCodes('10000001', { productId: 1, count: 1 });",
        'export { codes, OpenApiError };',
        '',
      ].join('\n'),
    );
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, types: [] }, files: ['check.ts'] }));
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    await run(process.execPath, [tsc, '-p', project]);
    writeFileSync(join(project, 'check.ts'), "import { VendcloudClient } from 'vendcloud-client';\nnew VendcloudClient({ baseUrl: 1 });\n");
    await assert.rejects(
      run(process.execPath, [tsc, '-p', project]),
      (error: { stdout: string }) => /check\.ts.*error TS\d+:.*not assignable/.test(error.stdout),
      'a wrong option is a type error: the types are real',
    );
  });
});
