/**
 * Every document a user needs lives in the repository: README.md's and docs/'s relative
 * links lead to files of a clone, their anchors to headings that exist, and no document
 * sends the reader to a folder that only the developers have. The README stays a page a
 * newcomer reads in minutes, and its map names every document under docs/.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from '../helpers/node-test.js';
import { documentLinks, githubSlug, headingAnchors, linkProblems, projectDocuments } from '../helpers/markdown-links.js';
import { ROOT } from '../helpers/source-tree.js';

/** The README is the newcomer's path; the reference lives in docs/. */
const README_MAX_LINES = 300;

function report(problems: ReturnType<typeof linkProblems>): string {
  return problems.map(({ file, line, problem }) => `${file}:${line}: ${problem}`).join('\n');
}

/** A throwaway repository holding the given documents. */
function sampleRepository(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'vendcloud-links-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('the project documents', () => {
  it('README.md and docs/ are among the documents checked, the reference moved out of the README included', () => {
    const documents = projectDocuments(ROOT);
    const reference = ['docs/api.md', 'docs/compatibility.md', 'docs/callbacks.md', 'docs/cli.md', 'docs/sdk.md'];
    for (const expected of ['README.md', 'docs/protocol.md', 'docs/machine-link.md', 'docs/mqtt.md', ...reference]) assert.ok(documents.includes(expected), expected);
  });

  it(`README.md is at most ${README_MAX_LINES} lines`, () => {
    const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    assert.ok(lines <= README_MAX_LINES, `README.md has ${lines} lines; move reference material into docs/`);
  });

  it('the README links every document under docs/, so a newcomer finds each one from it', () => {
    const linked = new Set(documentLinks(readFileSync(join(ROOT, 'README.md'), 'utf8')).map((link) => link.target.split('#')[0]));
    const unlinked = projectDocuments(ROOT).filter((document) => document.startsWith('docs/') && !linked.has(document));
    assert.deepEqual(unlinked, []);
  });

  it('every relative link leads to a file of the repository and every #anchor to a heading of its target', () => {
    const problems = linkProblems(ROOT, projectDocuments(ROOT));
    assert.equal(report(problems), '');
  });
});

describe('the link checker', () => {
  it('makes anchors by GitHub’s rule: lowercase, punctuation dropped, spaces to hyphens', () => {
    assert.equal(githubSlug('Callbacks and webhooks'), 'callbacks-and-webhooks');
    assert.equal(githubSlug("The server's session on an external broker"), 'the-servers-session-on-an-external-broker');
    assert.equal(githubSlug('`POST /pickup_codes`: create'), 'post-pickup_codes-create');
    assert.equal(githubSlug('Where the original API is silent: what vendcloud does'), 'where-the-original-api-is-silent-what-vendcloud-does');
    assert.equal(githubSlug('6.5 Times — and ids'), '65-times--and-ids');
  });

  it('numbers a repeated heading’s anchor and ignores headings inside code blocks', () => {
    const anchors = headingAnchors('# Fields\n\n## Fields\n\n```sh\n# not a heading\n```\n');
    assert.deepEqual([...anchors].sort(), ['fields', 'fields-1']);
  });

  it('reads inline links, images and reference definitions, not links inside code', () => {
    const text = 'See [a](docs/a.md#x) and ![b](img/b.png "title").\n\n`[c](nowhere.md)`\n\n```\n[d](nowhere.md)\n```\n[e]: docs/e.md\n';
    assert.deepEqual(
      documentLinks(text).map((link) => link.target),
      ['docs/a.md#x', 'img/b.png', 'docs/e.md'],
    );
  });

  it('reports a missing file, a missing anchor, a path out of the repository and a mention of a developer-only folder', () => {
    const root = sampleRepository({
      'README.md': [
        '# Title',
        '[ok](docs/guide.md#setting-up) [ok too](#title) [public](https://example.com/x#y)',
        '[gone](docs/missing.md)',
        '[bad anchor](docs/guide.md#no-such-heading)',
        '[escapes](../other/file.md)',
        'the fields are in `../shared/spec/PROTOCOL.md`',
      ].join('\n'),
      'docs/guide.md': '# Guide\n\n## Setting up\n\n[back](../README.md#title) [line](../src/a.ts#L3)\n',
      'src/a.ts': 'export {};\n',
    });
    try {
      const problems = linkProblems(root, projectDocuments(root));
      assert.deepEqual(
        problems.map(({ file, line }) => `${file}:${line}`),
        ['README.md:6', 'README.md:3', 'README.md:4', 'README.md:5'],
        report(problems),
      );
      assert.match(problems[0]!.problem, /\.\.\/shared/);
      assert.match(problems[1]!.problem, /no such file/);
      assert.match(problems[2]!.problem, /#no-such-heading/);
      assert.match(problems[3]!.problem, /outside the repository/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
