import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { apk } from './apk.js';
import { sgn } from './test-support/oracle.js';

// apk-tools' own vectors (testdata/apk-version.data, from test/unit/version.data): "A op B" and validity lines.
const DATA = readFileSync(
  fileURLToPath(new URL('../../src/version/testdata/apk-version.data', import.meta.url)),
  'utf8',
);

interface Vectors {
  readonly ordered: Array<[string, '<' | '=' | '>', string]>;
  readonly valid: string[];
  readonly invalid: string[];
}

function readVectors(): Vectors {
  const v: Vectors = { ordered: [], valid: [], invalid: [] };
  for (const raw of DATA.split('\n')) {
    const line = (raw.split('#')[0] ?? '').trim();
    if (line === '') continue;
    const parts = line.split(/\s+/);
    if (parts.length === 3) {
      const [a, op, b] = parts as [string, string, string];
      // Fuzzy (~) and negated operators belong to apk's dependency matching, not to ordering.
      if (op === '<' || op === '=' || op === '>') v.ordered.push([a, op, b]);
    } else if (line.startsWith('!')) {
      v.invalid.push(line.slice(1));
    } else {
      v.valid.push(line);
    }
  }
  return v;
}

test('apk: ordering vectors from apk-tools test/unit/version.data', () => {
  const { ordered } = readVectors();
  assert.ok(ordered.length > 700);
  let checked = 0;
  for (const [a, op, b] of ordered) {
    // The file also orders a few invalid versions ("1.0bc", "23_foo"); our contract refuses those.
    if (!apk.valid(a) || !apk.valid(b)) {
      assert.throws(() => apk.compare(a, b), { code: 'VERSION_INVALID' });
      continue;
    }
    const want = op === '<' ? -1 : op === '=' ? 0 : 1;
    assert.equal(sgn(apk.compare(a, b)), want, `${a} ${op} ${b}`);
    assert.equal(sgn(apk.compare(b, a)), want === 0 ? 0 : -want, `${b} vs ${a}`);
    checked++;
  }
  assert.ok(checked > 700);
});

test('apk: validity vectors from apk-tools test/unit/version.data', () => {
  const { valid, invalid } = readVectors();
  assert.ok(valid.length >= 5 && invalid.length >= 20);
  for (const v of valid) assert.equal(apk.valid(v), true, v);
  for (const v of invalid) assert.equal(apk.valid(v), false, v);
  assert.equal(apk.valid(''), false);
});

test('apk: suffix, hash and revision rules', () => {
  const ordered = [
    '1.0_alpha',
    '1.0_beta',
    '1.0_pre',
    '1.0_rc',
    '1.0',
    '1.0_cvs',
    '1.0_svn',
    '1.0_git',
    '1.0_hg',
    '1.0_p1',
  ];
  for (let i = 0; i + 1 < ordered.length; i++)
    assert.equal(sgn(apk.compare(ordered[i] ?? '', ordered[i + 1] ?? '')), -1);
  assert.equal(sgn(apk.compare('1.01', '1.1')), -1); // a leading zero compares as text (Gentoo rule)
  assert.equal(sgn(apk.compare('1.0~abc-r1', '1.0~abd-r0')), -1);
  assert.equal(sgn(apk.compare('1.0-r10', '1.0-r9')), 1);
  assert.equal(sgn(apk.compare('1.0-r1', '1.0_p1')), -1); // _p is a newer upstream, whatever the revision
  assert.equal(sgn(apk.compare('3.0.0_p20231201-r0', '3.0.0-r5')), 1);
});
