import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyLicense, licenseAsWritten } from './license.js';

test('classifyLicense keeps valid SPDX expressions, in the licence list spelling', () => {
  const cases: [string, string][] = [
    ['MIT', 'MIT'],
    ['mit', 'MIT'],
    ['BSD-2-clause', 'BSD-2-Clause'],
    ['GPL-2.0+', 'GPL-2.0+'],
    ['(MIT OR Apache-2.0) AND BSD-3-Clause', '(MIT OR Apache-2.0) AND BSD-3-Clause'],
    ['apache-2.0 WITH llvm-exception', 'Apache-2.0 WITH LLVM-exception'],
    ['  Zlib ', 'Zlib'],
  ];
  for (const [declared, expression] of cases) {
    assert.deepEqual(classifyLicense(declared), { kind: 'expression', expression }, declared);
  }
});

test('classifyLicense turns anything else into a name, and blank into nothing', () => {
  for (const declared of ['GPL-2+', 'Apache 2.0', 'MIT and Apache-2.0', 'LicenseRef-foo', 'MIT OR', 'Public Domain']) {
    assert.deepEqual(classifyLicense(declared), { kind: 'name', name: declared }, declared);
  }
  assert.equal(classifyLicense('   '), undefined);
  const huge = `MIT OR ${'MIT OR '.repeat(2000)}MIT`;
  assert.equal(classifyLicense(huge)?.kind, 'name');
});

test('licenseAsWritten says what an SBOM will show', () => {
  assert.equal(licenseAsWritten('mit'), 'MIT');
  assert.equal(licenseAsWritten('GPL-2+'), 'GPL-2+');
  assert.equal(licenseAsWritten(''), undefined);
});
