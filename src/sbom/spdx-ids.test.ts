import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SPDX_EXCEPTION_IDS, SPDX_LICENSE_IDS, spdxExceptionId, spdxLicenseId } from './spdx-ids.js';

test('licence ids: current and deprecated, any case in, the list spelling out', () => {
  assert.equal(spdxLicenseId('mit'), 'MIT');
  assert.equal(spdxLicenseId('APACHE-2.0'), 'Apache-2.0');
  assert.equal(spdxLicenseId('gpl-2.0-or-later'), 'GPL-2.0-or-later');
  // Deprecated ids stay readable (SPDX licence list 3.0 deprecated GPL-2.0 for GPL-2.0-only).
  assert.equal(spdxLicenseId('gpl-2.0'), 'GPL-2.0');
  assert.equal(spdxLicenseId('Classpath-exception-2.0'), undefined, 'an exception is not a licence');
  assert.equal(spdxLicenseId('Expat'), undefined);
  assert.equal(SPDX_LICENSE_IDS.indexOf('MIT') < SPDX_LICENSE_IDS.indexOf('GPL-2.0'), true, 'current ids first');
});

test('exception ids are a list of their own', () => {
  assert.equal(spdxExceptionId('classpath-exception-2.0'), 'Classpath-exception-2.0');
  assert.equal(spdxExceptionId('llvm-EXCEPTION'), 'LLVM-exception');
  assert.equal(spdxExceptionId('MIT'), undefined);
  assert.ok(SPDX_EXCEPTION_IDS.includes('GCC-exception-3.1'));
});

test('the lists cannot be changed by a caller', () => {
  assert.throws(() => (SPDX_LICENSE_IDS as string[]).push('x'), TypeError);
  assert.throws(() => (SPDX_EXCEPTION_IDS as string[]).push('x'), TypeError);
});
