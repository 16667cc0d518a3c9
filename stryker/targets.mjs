// The folders `npm run mutate` mutates, each with the compiled tests that cover it. A run
// mutates one target at a time so it takes minutes: every mutant of the target runs only
// the test files that reached it in the dry run (coverageAnalysis perTest: the TAP runner
// measures coverage per test file).
export const targets = {
  domain: {
    mutate: ['src/domain/**/*.ts'],
    tests: ['test/domain/', 'test/import/file', 'test/import/import', 'test/import/round-trip'],
  },
  protocol: {
    mutate: ['src/protocol/**/*.ts', '!src/protocol/responses.ts', '!src/protocol/schema-parts.ts', '!src/protocol/delivery-responses.ts'],
    tests: ['test/protocol/codec', 'test/protocol/wire-edges', 'test/protocol/signature-edges', 'test/protocol/error-explanations', 'test/protocol/signature', 'test/protocol/signing-forms', 'test/domain/pickup-codes', 'test/domain/edges'],
  },
  // The documented answer shapes, checked directly against literal answers (no server);
  // test/protocol/responses, which starts one, would cost seconds per mutant.
  'protocol-shapes': {
    mutate: ['src/protocol/responses.ts', 'src/protocol/schema-parts.ts', 'src/protocol/delivery-responses.ts'],
    tests: ['test/protocol/shape-answers', 'test/protocol/shape-refusals'],
  },
  callbacks: {
    mutate: ['src/callbacks/**/*.ts'],
    tests: ['test/callbacks/post', 'test/callbacks/sender-log', 'test/callbacks/sender.test', 'test/callbacks/callbacks', 'test/callbacks/wake'],
  },
  repositories: {
    mutate: ['src/store/repositories/**/*.ts'],
    // The direct tests of each repository file (test/store/<file>…), on a real SQLite file, no server.
    tests: ['test/store/'],
  },
  // The link's rules over a rig of the link without HTTP (test/helpers/link-rig.ts).
  link: {
    mutate: ['src/link/inbox.ts', 'src/link/dispatcher.ts'],
    tests: ['test/link/inbox-rules', 'test/link/inbox-reports-rules', 'test/link/inbox-failures-rules', 'test/link/dispatcher-rules', 'test/link/dispatcher-failures-rules'],
  },
};
