// Runs every compiled test file with Node's test runner. Node 20's runner takes no glob,
// and a plain directory would also run the helpers, so the files are listed here.
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

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

const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env: { ...process.env, VENDCLOUD_TEST_RUN: run },
});
await dropTestSchemas();
process.exit(result.status ?? 1);
