// StrykerJS configuration for `npm run mutate` (docs/testing.md, "Mutation testing").
// The target folder comes from VENDCLOUD_MUTATE (scripts/mutate.mjs sets it), and
// VENDCLOUD_MUTATE_TESTS, when set, replaces the target's tests (comma-separated fragments).
import { targets } from './stryker/targets.mjs';

const name = process.env.VENDCLOUD_MUTATE ?? 'domain';
const target = targets[name];
if (!target) throw new Error(`unknown mutation target ${name}: one of ${Object.keys(targets).join(', ')}`);

const compiled = (fragment) => {
  const path = `dist/${fragment}`;
  if (path.endsWith('/')) return `${path}**/*.test.js`;
  return path.endsWith('.test') ? `${path}.js` : `${path}.test.js`;
};

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'tap',
  plugins: ['@stryker-mutator/tap-runner'],
  mutate: target.mutate,
  // The sandbox (a copy of the project, node_modules linked) is mutated, then compiled the
  // way the project compiles: tsc to dist/. The console's bundle is not needed by these tests.
  buildCommand: 'tsc -p .',
  // Stryker rewrites the tsconfig's `extends`/`references` with the `typescript` package's
  // compiler API, which TypeScript 7 (the project's compiler, native) no longer has; ours has
  // neither, so the rewrite is turned off by naming no file.
  tsconfigFile: '',
  ignorePatterns: ['.stryker-tmp', 'dist', 'reports', 'data', 'bench/results', 'console/dist', '*.sqlite*'],
  tap: {
    testFiles: (process.env.VENDCLOUD_MUTATE_TESTS?.split(',') ?? target.tests).map(compiled),
    nodeArgs: ['--test-reporter=tap', '-r', '{{hookFile}}', '{{testFile}}'],
    forceBail: true,
  },
  coverageAnalysis: 'perTest',
  concurrency: 1,
  timeoutMS: 10000,
  timeoutFactor: 2,
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  // One temporary folder per target, so two targets may run side by side.
  tempDirName: `.stryker-tmp/${name}`,
  cleanTempDir: true,
};
