/**
 * `vendcloud import FILE` and `vendcloud export` as an operator runs them (issue 20,
 * docs/import.md): the real binary on a real database, every store.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from '../helpers/node-test.js';
import { vendcloud } from '../helpers/cli.js';
import { storeKinds, withStoreAt, type StoreKind } from '../helpers/stores.js';
import { APP_SECRET, originalPlatformFile, storedRows } from './fixture.js';

type Location = Awaited<ReturnType<StoreKind['fresh']>>;

/** The CLI's view of a store: --db, and the PostgreSQL schema through the environment. */
function onStore(location: Location) {
  const env: Record<string, string> = location.options.pgSchema ? { VENDCLOUD_DB_SCHEMA: location.options.pgSchema } : {};
  return (args: string[]) => vendcloud([...args, '--db', location.db], env);
}

for (const kind of storeKinds()) {
  describe(`vendcloud import and export [${kind.name}]`, { skip: kind.skip }, () => {
    let dir: string;
    let first: Location;
    let second: Location;
    const file = (name: string, content: unknown) => {
      const path = join(dir, name);
      writeFileSync(path, JSON.stringify(content));
      return path;
    };

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'vendcloud-import-'));
      [first, second] = await Promise.all([kind.fresh(), kind.fresh()]);
    });
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      await first.cleanup();
      await second.cleanup();
    });

    it('a dry run prints what it would create and exits 0 with nothing written; the import then creates it; again, it says there is nothing to import', async () => {
      const run = onStore(first);
      const path = file('original.json', originalPlatformFile());
      const dry = await run(['import', path, '--dry-run', '--json']);
      assert.equal(dry.code, 0, dry.stderr);
      assert.deepEqual(JSON.parse(dry.stdout).created, { merchants: 1, machines: 1, products: 2, pickup_codes: 3 });
      assert.deepEqual(await withStoreAt(first, storedRows), { merchants: 0, machines: 0, categories: 0, products: 0, pickup_codes: 0 });

      const imported = await run(['import', path]);
      assert.equal(imported.code, 0, imported.stderr);
      assert.match(imported.stdout, /created 1 merchant, 1 machine, 2 products, 3 pickup codes/);
      // Not a terminal: no progress bar in a pipe or a log.
      assert.equal(imported.stderr, '');

      const again = await run(['import', path]);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /^nothing to import: every record of the file is stored already/);
    });

    it('a bad file exits 2, lists its problems by JSON path on stderr and writes nothing', async () => {
      const run = onStore(first);
      const bad = originalPlatformFile('1632');
      bad.pickup_codes[0]!.code = '12';
      const before = await withStoreAt(first, storedRows);
      const refused = await run(['import', file('bad.json', bad)]);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /the file is not valid, nothing written:\n {2}\$\.machines\[0\]\.machine_no: must be 8 to 32 digits\n {2}\$\.pickup_codes\[0\]\.code: must be 6 to 10 digits\n$/);
      const notJson = await run(['import', file('broken.json', 'x')]);
      assert.equal(notJson.code, 2);
      assert.deepEqual(await withStoreAt(first, storedRows), before);
    });

    it('a contradicting file exits 2 naming the record, with --json as one line of problems', async () => {
      const run = onStore(first);
      const contradicting = originalPlatformFile();
      contradicting.machines[0]!.mqtt_password = 'another-password';
      const refused = await run(['import', file('contradicting.json', contradicting), '--json']);
      assert.equal(refused.code, 2);
      assert.deepEqual(JSON.parse(refused.stdout), {
        refused: 'the file contradicts what is stored',
        problems: [{ path: '$.machines[0].mqtt_password', message: 'machine 16327138 is stored with another MQTT password' }],
      });
    });

    it('export --out writes the import format without secrets; imported into a fresh store it is the same fleet, and exports the same again', async () => {
      const out = join(dir, 'export.json');
      const exported = await onStore(first)(['export', '--merchant', '10086', '--out', out]);
      assert.equal(exported.code, 0, exported.stderr);
      assert.equal(exported.stderr, '');
      const text = readFileSync(out, 'utf8');
      assert.ok(!text.includes(APP_SECRET));
      const imported = await onStore(second)(['import', out, '--json']);
      assert.equal(imported.code, 0, imported.stderr);
      assert.deepEqual(JSON.parse(imported.stdout).created, { merchants: 1, machines: 1, products: 2, pickup_codes: 3 });
      const again = await onStore(second)(['export']);
      assert.equal(again.stdout, text);
    });

    it('export --with-secrets warns on stderr', async () => {
      const exported = await onStore(first)(['export', '--with-secrets']);
      assert.equal(exported.code, 0, exported.stderr);
      assert.match(exported.stderr, /warning: the export holds webhook secrets in the clear/);
    });
  });
}
