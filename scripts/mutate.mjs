// `npm run mutate [-- <target>... [stryker options]]`: mutation testing with StrykerJS, one
// target folder at a time (stryker/targets.mjs), each with the tests that cover it. With no
// target it runs them all, one after the other. Reports: reports/mutation/<target>.html.
// Options after the targets go to Stryker, e.g. `npm run mutate -- domain --mutate src/domain/money.ts`,
// but for `--tests <fragments, comma-separated>`, which runs those tests instead of the target's
// own list (a narrow run of one file: `-- repositories --mutate src/store/repositories/answers.repository.ts --tests test/http/idempotency`).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { targets } from '../stryker/targets.mjs';

const given = process.argv.slice(2);
const testsAt = given.indexOf('--tests');
const tests = testsAt >= 0 ? given[testsAt + 1] : undefined;
if (testsAt >= 0 && !tests) {
  console.error('--tests needs a comma-separated list of test path fragments, e.g. test/http/idempotency');
  process.exit(2);
}
const args = testsAt >= 0 ? [...given.slice(0, testsAt), ...given.slice(testsAt + 2)] : given;
const named = args.filter((arg) => arg in targets);
const strykerArgs = args.filter((arg) => !(arg in targets));
const unknown = strykerArgs.find((arg, index) => !arg.startsWith('-') && !strykerArgs[index - 1]?.startsWith('-'));
if (unknown) {
  console.error(`unknown mutation target ${unknown}: one of ${Object.keys(targets).join(', ')}`);
  process.exit(2);
}
const stryker = join('node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');
for (const name of named.length > 0 ? named : Object.keys(targets)) {
  console.log(`\n== mutation testing: ${name} ==`);
  const run = spawnSync(process.execPath, [stryker, 'run', 'stryker.config.mjs', ...strykerArgs], {
    stdio: 'inherit',
    env: { ...process.env, VENDCLOUD_MUTATE: name, ...(tests ? { VENDCLOUD_MUTATE_TESTS: tests } : {}) },
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
