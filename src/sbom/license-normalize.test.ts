import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LICENSE_MEMO_ENTRIES, normalizeLicense } from './license-normalize.js';

test('Debian DEP-5 short names become SPDX ids (lowest version implied, "+" = or later)', () => {
  const cases: [string, string][] = [
    ['GPL-2+', 'GPL-2.0-or-later'],
    ['GPL-2', 'GPL-2.0-only'],
    ['GPL', 'GPL-1.0-only'],
    ['LGPL-2.1+', 'LGPL-2.1-or-later'],
    ['AGPL-3', 'AGPL-3.0-only'],
    ['Expat', 'MIT'],
    ['BSD-3-clause', 'BSD-3-Clause'],
    ['public-domain', 'LicenseRef-public-domain'],
    ['Artistic', 'Artistic-1.0'],
    ['Apache-2.0', 'Apache-2.0'],
    ['CC-BY-SA-3.0', 'CC-BY-SA-3.0'],
    ['GFDL-NIV-1.3+', 'GFDL-1.3-no-invariants-or-later'],
    ['MPL-1.1+', 'MPL-1.1+'],
    ['Zope-2.1', 'ZPL-2.1'],
    ['Perl', 'Artistic-1.0-Perl OR GPL-1.0-or-later'],
    ['GPL-2+ or Artistic-1.0', 'GPL-2.0-or-later OR Artistic-1.0'],
    ['GPL-2+ or Artistic, and BSD-3-clause', '(GPL-2.0-or-later OR Artistic-1.0) AND BSD-3-Clause'],
    ['GPL-3+ with Bison exception', 'GPL-3.0-or-later WITH Bison-exception-2.2'],
    ['GPL-2+ with Font exception', 'GPL-2.0-or-later WITH Font-exception-2.0'],
    ['LGPL-2.1+ and GPL-2+', 'LGPL-2.1-or-later AND GPL-2.0-or-later'],
  ];
  for (const [declared, spdx] of cases) assert.deepEqual(normalizeLicense(declared), { spdx }, declared);
});

test('SPDX expressions stay, deprecated GNU ids are upgraded; free text goes through spdx-correct', () => {
  const cases: [string, string][] = [
    ['mit', 'MIT'],
    ['(MIT OR Apache-2.0)', '(MIT OR Apache-2.0)'],
    ['GPL-2.0+', 'GPL-2.0-or-later'],
    ['GPL-2.0', 'GPL-2.0-only'],
    ['LGPL-2.1 AND MIT', 'LGPL-2.1-only AND MIT'],
    ['MIT and Apache-2.0', 'MIT AND Apache-2.0'],
    ['GPLv2+', 'GPL-2.0-or-later'],
    ['Apache License 2.0', 'Apache-2.0'],
    ['MIT License', 'MIT'],
    ['CC0', 'CC0-1.0'],
  ];
  for (const [declared, spdx] of cases) assert.deepEqual(normalizeLicense(declared), { spdx }, declared);
});

test('guesses, non-licences and unknown parts stay unknown, verbatim', () => {
  for (const declared of [
    'BSD',
    'Apache Software License',
    'UNLICENSED',
    'SEE LICENSE IN LICENSE.md',
    'Proprietary',
    'GPL-2+ with OpenSSL exception',
    'MIT-like',
    'GPL-2+ and MIT-like',
    'MIT OR',
    '(MIT',
  ]) {
    assert.deepEqual(normalizeLicense(declared), { unknown: declared }, declared);
  }
  // A LicenseRef is valid SPDX syntax (imported SBOMs carry them); its category is unknown.
  assert.deepEqual(normalizeLicense('LicenseRef-foo'), { spdx: 'LicenseRef-foo' });
  assert.deepEqual(normalizeLicense('  '), {});
  assert.deepEqual(normalizeLicense('x'.repeat(10_000)).unknown?.length, 10_000);
});

test('normalizeLicense remembers a bounded number of texts and answers the same from memory', () => {
  // Generated texts, more than the memo holds: half valid SPDX ids with a LicenseRef, half free text.
  const texts = Array.from({ length: LICENSE_MEMO_ENTRIES * 2 + 7 }, (_, i) =>
    i % 2 === 0 ? `LicenseRef-gen-${i} OR MIT` : `made up licence number ${i}`,
  );
  const first = texts.map((t) => normalizeLicense(t));
  assert.ok(normalizeLicense.size <= LICENSE_MEMO_ENTRIES, `memo holds ${normalizeLicense.size} texts`);
  assert.deepEqual(first[0], { spdx: 'LicenseRef-gen-0 OR MIT' });
  assert.deepEqual(first[1], { unknown: 'made up licence number 1' });
  // Forgotten or remembered, the answer is the same.
  assert.deepEqual(
    texts.map((t) => normalizeLicense(t)),
    first,
  );
  // A shared answer cannot be changed by one caller for the others.
  assert.ok(Object.isFrozen(normalizeLicense('GPL-2+')));
  assert.deepEqual(normalizeLicense('GPL-2+'), { spdx: 'GPL-2.0-or-later' });
});
