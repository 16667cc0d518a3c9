/**
 * Skips nobody can miss: every test file declares its tests through test/helpers/node-test.ts,
 * whose skipped suites still count each of their tests, so a run without PostgreSQL, Mosquitto,
 * Redis or Chromium says how many tests it did not run, and why (scripts/run-tests.mjs).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from '../helpers/node-test.js';
import { ROOT } from '../helpers/source-tree.js';

function testSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testSources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('the test suite', () => {
  it("declares its tests through helpers/node-test.ts, never node:test directly (but for that helper)", () => {
    const direct = testSources(join(ROOT, 'test'))
      .map((path) => relative(ROOT, path).split('\\').join('/'))
      .filter((path) => path !== 'test/helpers/node-test.ts')
      .filter((path) => /from\s+['"]node:test['"]/.test(readFileSync(join(ROOT, path), 'utf8')));
    assert.deepEqual(direct, []);
  });
});
