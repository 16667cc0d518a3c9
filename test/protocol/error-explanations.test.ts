/**
 * Errors a person reads say what happened and what to do, in English, beside the platform's
 * own message: every code of the catalogue has its explanation, and docs/errors.md shows
 * each code's row exactly as the code defines it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OpenApiError } from '../../src/client/errors.js';
import { ERROR_EXPLANATIONS, explainError } from '../../src/protocol/error-explanations.js';
import { ERROR_CATALOGUE } from '../../src/protocol/errors.js';
import { describe, it } from '../helpers/node-test.js';
import { ROOT } from '../helpers/source-tree.js';

const codes = Object.keys(ERROR_CATALOGUE).map(Number);

describe('error explanations', () => {
  it('every code of the catalogue is explained, with a meaning and a fix, and nothing else is', () => {
    assert.deepEqual(Object.keys(ERROR_EXPLANATIONS).map(Number).sort(), [...codes].sort());
    for (const code of codes) {
      const { meaning, fix } = explainError(code);
      assert.ok(meaning.length > 0 && fix.length > 0, `code ${code}`);
    }
  });

  it('docs/errors.md has one row per code: HTTP status, the wire message, the meaning and the fix as written in the code', () => {
    const rows = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8')
      .split('\n')
      .filter((line) => /^\| \d+ \|/.test(line));
    assert.equal(rows.length, codes.length);
    for (const code of codes) {
      const { httpStatus, message } = ERROR_CATALOGUE[code as keyof typeof ERROR_CATALOGUE];
      const { meaning, fix } = explainError(code);
      assert.ok(rows.includes(`| ${code} | ${httpStatus} | ${message} | ${meaning} | ${fix} |`), `docs/errors.md: the row of ${code} differs from the code`);
    }
  });

  it("the SDK's error carries the explanation of its code, and a plain one for a code it does not know", () => {
    const signature = new OpenApiError({ code: 10002, message: 'sign is invalid', httpStatus: 401 });
    assert.equal(signature.message, 'sign is invalid');
    assert.match(signature.explanation.fix, /merchant_id/);
    const unknown = new OpenApiError({ code: 99999, message: '?', httpStatus: 200 });
    assert.match(unknown.explanation.meaning, /99999/);
  });
});
