/**
 * The console's own sources keep the rules of src/ (issue 21): no file of 300 lines or more
 * (stylesheets included), no import circle (type-only imports count), and each word of the
 * dictionaries written in one words file only, so a later file cannot silently replace it.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from '../helpers/node-test.js';
import { importCycles, ROOT, type SourceModule } from '../helpers/source-tree.js';

const MAX_FILE_LINES = 300;

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)]));
}

const files = walk(join(ROOT, 'console/src'))
  .filter((file) => /\.(ts|tsx|css)$/.test(file))
  .sort()
  .map((file) => ({ path: relative(ROOT, file).split('\\').join('/'), text: readFileSync(file, 'utf8') }));

describe('the console’s sources', () => {
  it(`every file under console/src is under ${MAX_FILE_LINES} lines`, () => {
    const lines = (text: string) => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    assert.deepEqual(
      files.filter((file) => lines(file.text) >= MAX_FILE_LINES).map((file) => `${file.path}: ${lines(file.text)} lines`),
      [],
    );
  });

  it('no import circle among the console’s modules', () => {
    // Imports name `.js`; the import graph resolves them to `.ts`, so a `.tsx` module is known by that name.
    const modules: SourceModule[] = files.filter((file) => !file.path.endsWith('.css')).map((file) => ({ ...file, path: file.path.replace(/\.tsx$/, '.ts') }));
    assert.ok(modules.length > 10, 'the console’s modules were found');
    assert.deepEqual(importCycles(modules), []);
  });

  it('each word of the dictionaries is written in one words file only', () => {
    const owners = new Map<string, string[]>();
    for (const file of files.filter((file) => /^console\/src\/words\/[a-z-]+\.ts$/.test(file.path))) {
      const chinese = /export const zh = \{([\s\S]*?)\n\} as const;/.exec(file.text)?.[1];
      if (chinese === undefined) continue;
      for (const [, key] of chinese.matchAll(/^ {2}'?([\w.]+)'?:/gm)) owners.set(key!, [...(owners.get(key!) ?? []), file.path]);
    }
    assert.ok(owners.size > 100, 'the dictionaries were read');
    assert.deepEqual(
      [...owners].filter(([, paths]) => paths.length > 1).map(([key, paths]) => `${key}: ${paths.join(', ')}`),
      [],
    );
  });
});
