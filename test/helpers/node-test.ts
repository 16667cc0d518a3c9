/**
 * node:test as the suite uses it, with one difference: a suite skipped for a reason (a
 * component this machine lacks, say) still declares its tests, each skipped with that reason,
 * and its hooks do not run. Node's own skipped suite declares nothing, so a run would count
 * none of the tests it did not run; here each one is counted, and scripts/run-tests.mjs sums
 * them by reason at the end.
 */
import * as nodeTest from 'node:test';

export type { TestContext } from 'node:test';

type SuiteOptions = nodeTest.TestOptions;
type SuiteBody = (context: nodeTest.SuiteContext) => void;
type TestBody = nodeTest.TestFn;

/** The reason of the skipped suite whose body is being declared, if any. */
let skipping: string | undefined;

function reasonOf(skip: boolean | string | undefined): string | undefined {
  if (skip === undefined || skip === false) return undefined;
  return skip === true ? 'skipped' : skip;
}

export function describe(name: string, body: SuiteBody): void;
export function describe(name: string, options: SuiteOptions, body: SuiteBody): void;
export function describe(name: string, optionsOrBody: SuiteOptions | SuiteBody, maybeBody?: SuiteBody): void {
  const [options, body] = typeof optionsOrBody === 'function' ? [{}, optionsOrBody] : [optionsOrBody, maybeBody!];
  const reason = skipping ?? reasonOf(options.skip);
  if (reason === undefined) {
    nodeTest.describe(name, options, body);
    return;
  }
  const { skip: _skip, ...rest } = options;
  nodeTest.describe(name, rest, (context) => {
    const outer = skipping;
    skipping = reason;
    try {
      // Declares the tests (each skipped below); a suite body only declares, so it is synchronous.
      body(context);
    } finally {
      skipping = outer;
    }
  });
}

export function it(name: string, body: TestBody): void;
export function it(name: string, options: nodeTest.TestOptions, body: TestBody): void;
export function it(name: string, optionsOrBody: nodeTest.TestOptions | TestBody, maybeBody?: TestBody): void {
  if (skipping !== undefined) {
    nodeTest.it(name, { skip: skipping }, () => {});
    return;
  }
  if (typeof optionsOrBody === 'function') nodeTest.it(name, optionsOrBody);
  else nodeTest.it(name, optionsOrBody, maybeBody);
}

type Hook = (fn: nodeTest.HookFn, options?: nodeTest.HookOptions) => void;
/** A hook of a skipped suite would set up what its tests need: it is left out with them. */
const unlessSkipping =
  (hook: Hook): Hook =>
  (fn, options) => {
    if (skipping === undefined) hook(fn, options);
  };

export const before = unlessSkipping(nodeTest.before);
export const after = unlessSkipping(nodeTest.after);
export const beforeEach = unlessSkipping(nodeTest.beforeEach);
export const afterEach = unlessSkipping(nodeTest.afterEach);
