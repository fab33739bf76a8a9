import assert from 'node:assert/strict';
import { test } from 'node:test';
import { categorizeLicense, LICENSE_CATEGORY_BY_ID } from './license-category.js';

test('single licences by SPDX id', () => {
  const cases: [string, string][] = [
    ['MIT', 'permissive'],
    ['Apache-2.0', 'permissive'],
    ['BSD-3-Clause', 'permissive'],
    ['LicenseRef-public-domain', 'permissive'],
    ['CC0-1.0', 'permissive'],
    ['LGPL-2.1-or-later', 'weak-copyleft'],
    ['MPL-2.0', 'weak-copyleft'],
    ['EPL-2.0', 'weak-copyleft'],
    ['GPL-2.0-only', 'strong-copyleft'],
    ['GPL-2.0+', 'strong-copyleft'],
    ['AGPL-3.0-or-later', 'strong-copyleft'],
    ['CC-BY-SA-4.0', 'strong-copyleft'],
    ['CC-BY-NC-4.0', 'unknown'],
    ['LicenseRef-acme', 'unknown'],
    ['not an expression (', 'unknown'],
  ];
  for (const [expr, cat] of cases) assert.equal(categorizeLicense(expr), cat, expr);
  assert.equal(LICENSE_CATEGORY_BY_ID.get('GPL-3.0-only'), 'strong-copyleft');
});

test('OR takes the most permissive known choice, AND the most restrictive; unknown only where it decides', () => {
  assert.equal(categorizeLicense('MIT OR GPL-3.0-only'), 'permissive');
  assert.equal(categorizeLicense('MIT AND GPL-3.0-only'), 'strong-copyleft');
  assert.equal(categorizeLicense('LGPL-2.1-only AND MIT'), 'weak-copyleft');
  assert.equal(categorizeLicense('LicenseRef-acme OR MPL-2.0'), 'weak-copyleft');
  assert.equal(categorizeLicense('LicenseRef-acme AND MIT'), 'unknown');
  assert.equal(categorizeLicense('(MIT OR GPL-2.0-only) AND LGPL-3.0-only'), 'weak-copyleft');
  assert.equal(categorizeLicense('Artistic-1.0-Perl OR GPL-1.0-or-later'), 'permissive');
});

test('a linking exception turns strong copyleft into weak; other exceptions do not', () => {
  assert.equal(categorizeLicense('GPL-2.0-only WITH Classpath-exception-2.0'), 'weak-copyleft');
  assert.equal(categorizeLicense('GPL-3.0-or-later WITH GCC-exception-3.1'), 'weak-copyleft');
  assert.equal(categorizeLicense('GPL-2.0-or-later WITH openvpn-openssl-exception'), 'strong-copyleft');
  assert.equal(categorizeLicense('Apache-2.0 WITH LLVM-exception'), 'permissive');
});
