import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHash } from 'node:crypto';
import { flushMemos, useMemoBackend } from '../core/index.js';
import {
  LICENSE_ANSWERS_VERSION,
  LICENSE_MEMO_ENTRIES,
  licenseMemo,
  normalizeLicense,
  seedLicenseMemo,
} from './license-normalize.js';

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
  assert.ok(licenseMemo.size <= LICENSE_MEMO_ENTRIES, `memo holds ${licenseMemo.size} texts`);
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

test('answers kept from an earlier run are used as they are; misshapen ones are dropped', () => {
  const before = licenseMemo.computed;
  seedLicenseMemo([
    ['seeded text one', { spdx: 'MIT' }],
    ['seeded text two', { unknown: 'seeded text two' }],
    ['seeded text three', {}],
    ['bad: two keys', { spdx: 'MIT', unknown: 'x' }],
    ['bad: not a string', { spdx: 5 }],
    ['bad: other key', { license: 'MIT' }],
    ['bad: array', []],
    [7, { spdx: 'MIT' }],
    ['bad: triple', { spdx: 'MIT' }, 'x'],
    'not a pair',
  ]);
  seedLicenseMemo({ not: 'an array' });
  assert.deepEqual(normalizeLicense('seeded text one'), { spdx: 'MIT' });
  assert.deepEqual(normalizeLicense('seeded text two'), { unknown: 'seeded text two' });
  assert.deepEqual(normalizeLicense('seeded text three'), {});
  assert.equal(licenseMemo.computed, before, 'seeded answers are not computed again');
  assert.deepEqual(normalizeLicense('bad: two keys'), { unknown: 'bad: two keys' }, 'a dropped entry is computed');
  assert.ok(Object.isFrozen(normalizeLicense('seeded text one')));
});

test('a run with a cache saves the memo when it learnt new answers, under the answers version', () => {
  const saved = new Map<string, unknown>();
  useMemoBackend({ read: (n) => saved.get(n), write: (n, v) => saved.set(n, v) });
  try {
    normalizeLicense(`a licence text no test used before ${process.pid}`);
    flushMemos();
  } finally {
    useMemoBackend(undefined);
  }
  const [name, entries] = [...saved.entries()][0] ?? [];
  assert.match(String(name), new RegExp(`^license-normalize/${LICENSE_ANSWERS_VERSION}/`));
  assert.ok(Array.isArray(entries) && entries.some(([t]) => String(t).startsWith('a licence text no test used')));
});

/**
 * Answers a cache kept are reused only under the same LICENSE_ANSWERS_VERSION (and customs
 * version): any change to what normalizeLicense answers must bump it. This pins the answers
 * for a corpus of the texts above and of Debian and npm licence fields.
 */
test('the answers version is bumped whenever the answers change', () => {
  const corpus = [
    'MIT',
    'Apache-2.0',
    'GPL-2+',
    'GPL-2.0+',
    'LGPL-2.1+ or GPL-2+',
    'GPL-3+ with Autoconf-data exception',
    'GPL-2+ with Font exception',
    'BSD-3-clause~intel',
    'Apache-2.0-with-GPL2-LGPL2-Exception',
    'MIT/X11',
    'Expat',
    'public-domain',
    'permissive',
    'BZIP',
    'GFDL-1.3+-no-invariant',
    'ISC and/or LGPL-2.1+',
    '(MIT OR Apache-2.0) AND BSD-2-Clause',
    'BSD',
    'GPL',
    'Artistic or GPL-1+',
    'Zlib',
    'zlib/libpng',
    'LicenseRef-foo',
    'see LICENSE',
    '',
  ];
  const answers = corpus.map((t) => [t, normalizeLicense(t)]);
  const digest = createHash('sha256').update(JSON.stringify(answers)).digest('hex').slice(0, 16);
  const pinned: Record<number, string> = { 1: '12232c6fb51eafab' };
  assert.equal(
    digest,
    pinned[LICENSE_ANSWERS_VERSION],
    `normalizeLicense answers differently now (${JSON.stringify(answers)}): bump LICENSE_ANSWERS_VERSION in license-normalize.ts and pin this digest under the new version`,
  );
});
