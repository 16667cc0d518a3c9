// A reporter for Node's test runner (beside the spec reporter): one JSON line per finished
// test, so scripts/run-tests.mjs can count what passed, failed and was skipped, and why.
// Suites are left out: their tests are counted one by one.
export default async function* tally(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { name, skip, todo, details, file } = event.data;
    if (details?.type === 'suite') continue;
    const outcome = event.type === 'test:fail' ? 'failed' : skip !== undefined ? 'skipped' : todo !== undefined ? 'todo' : 'passed';
    yield `${JSON.stringify({ outcome, name, file, reason: typeof skip === 'string' ? skip : undefined })}\n`;
  }
}
