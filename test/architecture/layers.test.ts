/**
 * The architecture of docs/architecture.md, checked on every run: SQL lives in src/store
 * only, modules import each other without cycles, and files and functions stay small
 * enough to read in one sitting, in src/ and in bench/ alike.
 */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { functionSpans, importCycles, importsOf, localImportsOf, sourceModules, withoutComments } from '../helpers/source-tree.js';

const MAX_FILE_LINES = 300;
const MAX_FUNCTION_LINES = 80;

/** Query building (Kysely's builder, its sql tag, prepared statements) or an SQL statement in a string. */
const SQL = /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\(|\bsql(<[^>]*>)?`|\bsql\.(raw|ref|lit|id|table|join)\(|\bpreparedQuery\(|['"`]\s*(SELECT\s[\s\S]*?\sFROM\s|INSERT\s+INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s)/i;

/**
 * What each layer may import of vendcloud (docs/architecture.md). Files at the top of src/
 * (server.ts, config.ts, housekeeping.ts, index.ts) and src/cli compose the others.
 */
const MAY_IMPORT: Record<string, readonly string[]> = {
  protocol: ['protocol'],
  domain: ['domain', 'protocol'],
  store: ['store', 'domain', 'protocol'],
  service: ['service', 'domain', 'protocol', 'store'],
  http: ['http', 'service', 'domain', 'protocol', 'store', 'config.ts'],
  link: ['link', 'service', 'domain', 'protocol', 'store', 'config.ts'],
  callbacks: ['callbacks', 'service', 'domain', 'protocol', 'store', 'config.ts'],
  client: ['client', 'protocol'],
  ops: ['ops', 'service', 'store', 'link', 'callbacks', 'protocol', 'config.ts'],
};

/** Opening a transaction: the store's write (group commit or alone), or Kysely's own. */
const OPENS_TRANSACTION = /\bstore\.(write|writeAlone)\b|\.transaction\(\)|\.startTransaction\(\)/;
/** The most files outside src/store that open transactions: the runner, and at most one caller of the store beside it. */
const MAX_TRANSACTION_OPENERS = 2;

/** `src/http/app.ts` → `http`; a file at the top of src/ → its own name. */
function layerOf(path: string): string {
  return path.split('/')[1]!;
}

const modules = sourceModules();
/** The size rules hold for the benchmark too; its naive servers write SQL by design. */
const sized = [...modules, ...sourceModules('bench')];
const outsideStore = modules.filter((module) => !module.path.startsWith('src/store/'));

describe('architecture', () => {
  it('only src/store imports kysely', () => {
    const importers = outsideStore.filter((module) => importsOf(module).some((name) => name === 'kysely' || name.startsWith('kysely/')));
    assert.deepEqual(importers.map((module) => module.path), []);
  });

  it('no file outside src/store builds or writes SQL', () => {
    const offenders = outsideStore.filter((module) => SQL.test(withoutComments(module.text)));
    assert.deepEqual(offenders.map((module) => module.path), []);
  });

  it('no module-level WeakMap or WeakSet in src/store: what a change carries lives in its Work, caches in the object owning them', () => {
    const identityMaps = modules.filter((module) => module.path.startsWith('src/store/') && /\bWeak(Map|Set)\b/.test(withoutComments(module.text)));
    assert.deepEqual(identityMaps.map((module) => module.path), []);
  });

  it(`at most ${MAX_TRANSACTION_OPENERS} files outside src/store open transactions: every entry point goes through the runner`, () => {
    const openers = outsideStore.filter((module) => OPENS_TRANSACTION.test(withoutComments(module.text))).map((module) => module.path);
    assert.ok(openers.length <= MAX_TRANSACTION_OPENERS, openers.join(', '));
    assert.ok(openers.includes('src/service/runner.ts'), openers.join(', '));
  });

  it('the rows per chunked statement (CHUNK) are defined once', () => {
    const definitions = modules.flatMap((module) => (withoutComments(module.text).match(/\b(const|let|var)\s+CHUNK\b/g) ?? []).map(() => module.path));
    assert.deepEqual(definitions, ['src/store/executor.ts']);
  });

  it('each layer imports only the layers below it', () => {
    const breaches = modules.flatMap((module) => {
      const allowed = MAY_IMPORT[layerOf(module.path)];
      if (!allowed) return [];
      return localImportsOf(module)
        .filter((target) => !allowed.includes(layerOf(target)))
        .map((target) => `${module.path} → ${target}`);
    });
    assert.deepEqual(breaches, []);
  });

  it('no import cycle among the source files (type-only imports count)', () => {
    assert.deepEqual(importCycles(modules), []);
  });

  it(`every source and bench file is under ${MAX_FILE_LINES} lines`, () => {
    const lines = (text: string) => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    const long = sized.filter((module) => lines(module.text) >= MAX_FILE_LINES);
    assert.deepEqual(long.map((module) => `${module.path}: ${lines(module.text)} lines`), []);
  });

  it(`no function is longer than ${MAX_FUNCTION_LINES} lines`, () => {
    const long = functionSpans(sized.map((module) => module.path)).filter((span) => span.lines > MAX_FUNCTION_LINES);
    assert.deepEqual(long.map((span) => `${span.path}:${span.line} ${span.name}: ${span.lines} lines`), []);
  });
});
