/**
 * docs/cli.md's "Running it for real" runs as written: on an empty database and on the demo's
 * (where merchant 1 is the demo merchant), every command succeeds, the new machine belongs to
 * the merchant the block just made, and the server the last line starts answers that
 * merchant's signed requests.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDemoData } from '../../src/service/demo.js';
import { openStore } from '../../src/store/store.js';
import { json, startCli, vendcloud } from '../helpers/cli.js';
import { after, describe, it } from '../helpers/node-test.js';
import { closedPort } from '../helpers/server.js';
import { ROOT } from '../helpers/source-tree.js';

/** The block of docs/cli.md under "## Running it for real", as lines. */
function quickstart(): string[] {
  const guide = readFileSync(join(ROOT, 'docs/cli.md'), 'utf8');
  const section = /## Running it for real\n([\s\S]*?)\n## /.exec(guide)?.[1] ?? '';
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block, 'docs/cli.md has a sh block under "Running it for real"');
  return block.trim().split('\n');
}

/** Runs lines in bash from the project's root, stopping at the first that fails. */
function bash(script: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe("docs/cli.md's Running it for real", () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  for (const database of ['an empty database', "the demo's database"]) {
    it(`runs as written on ${database}: the machine goes to the merchant just made, and the server answers it`, { timeout: 120_000 }, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'vendcloud-quickstart-'));
      dirs.push(dir);
      const db = join(dir, 'vendcloud.sqlite');
      if (database !== 'an empty database') {
        const store = await openStore(db);
        await ensureDemoData(store);
        await store.close();
      }
      const lines = quickstart();
      const serve = lines.pop()!;
      assert.match(serve, /^npx vendcloud serve --port 8080$/, 'the block ends by starting the server');
      // The first `npx vendcloud` of a checkout installs the project into npx's cache, which runs
      // its `prepare` (a full build into dist/) unless scripts are off: that rebuild, in the middle
      // of the suite, would rewrite the modules other test files are loading.
      const env = { VENDCLOUD_DB: db, npm_config_ignore_scripts: 'true' };
      // The block's own variables are printed at the end, to check what it did.
      const run = await bash(`${lines.join('\n')}\necho "MERCHANT_ID=$MERCHANT_ID"`, env);
      assert.equal(run.code, 0, `the block failed:\n${run.stderr}\n${run.stdout}`);
      const merchantId = Number(/^MERCHANT_ID=(\d+)$/m.exec(run.stdout)?.[1]);
      const created = JSON.parse(/^\{"merchant_id".*$/m.exec(run.stdout)![0]);
      assert.equal(created.merchant_id, merchantId);
      assert.equal(merchantId, database === 'an empty database' ? 1 : 2);

      const machines = json(await vendcloud(['machine', 'list', '--json'], env));
      const made = machines.find((m: { machine_no: string }) => m.machine_no === '12345678');
      assert.deepEqual([made.merchant_id, made.operating, made.pickup_codes], [merchantId, true, true], 'the new machine is the new merchant’s, in operation, pickup codes on');

      // The line as written, on free ports (this machine's own Mosquitto holds 1883).
      const [port, mqttPort] = [await closedPort(), await closedPort()];
      const args = [...serve.replace(/^npx vendcloud /, '').replace('--port 8080', `--port ${port}`).split(' '), '--mqtt-port', String(mqttPort)];
      const server = startCli(args, /listening/, { ...env, LOG_LEVEL: 'warn' });
      try {
        await server.started;
        const merchantEnv = { VENDCLOUD_URL: `http://127.0.0.1:${port}`, VENDCLOUD_APPID: created.appid, VENDCLOUD_APPSECRET: created.app_secret, VENDCLOUD_MERCHANT_ID: String(merchantId) };
        const ping = await vendcloud(['ping'], merchantEnv);
        assert.equal(ping.code, 0, ping.stderr);
        const products = json(await vendcloud(['products', '--machine-no', '12345678', '--json'], merchantEnv));
        assert.deepEqual(products.data.map((p: { good: { name: string } }) => p.good.name), ['Water']);
      } finally {
        await server.stop();
      }
    });
  }
});
