import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { ERROR_CODES } from './errors.js';
import { renderErrorsDoc } from './errors-doc.js';

const DOC = new URL('../../docs/errors.md', import.meta.url);

test('docs/errors.md is generated from the error table', () => {
  const want = renderErrorsDoc();
  if (process.env.UPDATE_GOLDEN) writeFileSync(DOC, want);
  assert.equal(readFileSync(DOC, 'utf8'), want, 'run UPDATE_GOLDEN=1 to regenerate docs/errors.md');
});

test('every error code has a hint and an exit status', () => {
  for (const [code, info] of Object.entries(ERROR_CODES)) {
    assert.ok(info.hint.length > 10, `${code} needs a hint`);
    assert.ok([1, 2, 3, 4].includes(info.exit), `${code} exit`);
    assert.match(code, /^[A-Z]+_[A-Z_]+$|^[A-Z]+$/);
  }
});
