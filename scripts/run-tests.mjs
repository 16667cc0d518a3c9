// Runs every compiled test file with Node's test runner. Node 20's runner takes no glob,
// and a plain directory would also run the helpers, so the files are listed here.
// At the end it counts the tests that did not run, by reason: on a machine without
// PostgreSQL, Mosquitto, Redis or Chromium they are skipped, never silently left out
// (test/helpers/components.ts); VENDCLOUD_TEST_REQUIRE makes their absence fail the run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.js') ? [path] : [];
  });
}

const filter = process.argv.slice(2);
const files = testFiles('dist/test')
  .filter((file) => filter.length === 0 || filter.some((part) => file.includes(part)))
  .sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

// What this machine lacks, probed once before anything runs: a component CI requires fails
// the run here, naming it, rather than in the middle of the output.
const { missing, requiredComponents, MISSING_ENV } = await import(join(process.cwd(), 'dist/test/helpers/components.js')).catch((error) => {
  console.error(`test run refused: ${error.message}`);
  process.exit(1);
});
if (missing.size > 0) {
  const required = requiredComponents();
  console.log(`\nNot on this machine (their tests will be skipped${required.length ? '' : '; set VENDCLOUD_TEST_REQUIRE to fail instead'}):`);
  for (const [component, why] of missing) console.log(`  ${component}: ${why}`);
  console.log('');
}

/**
 * Test files make their PostgreSQL schemas (t_<run>_…) and leave them: dropping one while
 * another file's migrator reads the catalogue breaks that read. This run's schemas all go
 * here, at its end; other runs sharing the database keep theirs.
 */
const run = `r${process.pid}`;
async function dropTestSchemas() {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(String.raw`select nspname from pg_namespace where nspname like 't\_' || $1 || '\_%'`, [run]);
    for (const { nspname } of rows) await client.query(`drop schema if exists "${nspname}" cascade`);
  } finally {
    await client.end();
  }
}

const tallyDir = mkdtempSync(join(tmpdir(), 'vendcloud-tally-'));
const tallyFile = join(tallyDir, 'tally.jsonl');
const result = spawnSync(
  process.execPath,
  [
    '--test',
    '--test-concurrency=2',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=./scripts/test-tally.mjs',
    `--test-reporter-destination=${tallyFile}`,
    ...files,
  ],
  { stdio: 'inherit', env: { ...process.env, VENDCLOUD_TEST_RUN: run, [MISSING_ENV]: JSON.stringify([...missing]) } },
);
await dropTestSchemas();

let tests = [];
try {
  tests = readFileSync(tallyFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
} finally {
  rmSync(tallyDir, { recursive: true, force: true });
}
const count = (outcome) => tests.filter((test) => test.outcome === outcome).length;
const skipped = tests.filter((test) => test.outcome === 'skipped');
if (skipped.length > 0) {
  const byReason = new Map();
  for (const test of skipped) byReason.set(test.reason ?? 'skipped', (byReason.get(test.reason ?? 'skipped') ?? 0) + 1);
  console.log(`\n${'!'.repeat(78)}\n!! ${skipped.length} TESTS DID NOT RUN (skipped), by reason:`);
  for (const [reason, n] of [...byReason].sort((a, b) => b[1] - a[1])) console.log(`!!   ${String(n).padStart(4)}  ${reason}`);
  console.log(`${'!'.repeat(78)}`);
}
console.log(`\ntests: ${count('passed')} passed, ${count('failed')} failed, ${skipped.length} skipped`);
process.exit(result.status ?? 1);
