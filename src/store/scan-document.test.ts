import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CustomsError } from '../core/index.js';
import { asScanDocument, findingsOf } from './scan-document.js';
import { scanDocument, vulnerability } from './test-support/scan-docs.js';

test('findings of a scan document carry the policy refs and a fingerprint of what matters', () => {
  const doc = asScanDocument(
    scanDocument({
      vulns: [{ id: 'CVE-1', pkg: 'a' }],
      secrets: [{ ruleId: 'gh-pat', location: 'app/.env', line: 2 }],
    }),
    'test',
  );
  const [vuln, secret] = findingsOf(doc);
  assert.deepEqual(
    [vuln?.ref, vuln?.kind, vuln?.findingId, vuln?.packagePurl],
    ['CVE-1@pkg-a-1.0-1', 'vuln', 'CVE-1', 'pkg:deb/debian/a@1.0-1?distro=debian-12'],
  );
  assert.deepEqual([secret?.ref, secret?.kind], ['gh-pat@app/.env:2', 'secret']);

  const base = { id: 'CVE-1', pkg: 'a' };
  const fp = (v: Parameters<typeof vulnerability>[0], extra: Record<string, unknown> = {}) =>
    findingsOf(asScanDocument({ ...scanDocument(), vulnerabilities: [{ ...vulnerability(v), ...extra }] }, 't'))[0]
      ?.fingerprint;
  const same = fp(base);
  // Material changes move the fingerprint …
  for (const changed of [
    fp({ ...base, severity: 'critical' }),
    fp({ ...base, state: 'unfixed' }),
    fp({ ...base, fixedVersions: ['1.0-3'] }),
    fp({ ...base, kev: true }),
  ])
    assert.notEqual(changed, same);
  // … other fields, and the order of fix versions, do not.
  assert.equal(fp(base, { epss: { score: 0.9, percentile: 0.99 }, paths: ['x'] }), same);
  assert.equal(fp({ ...base, fixedVersions: ['2', '1'] }), fp({ ...base, fixedVersions: ['1', '2'] }));
});

test('a document without the fields the store reads is refused with their pointers', () => {
  const cases: [unknown, RegExp][] = [
    [null, /\/: not an object/],
    [{ ...scanDocument(), vulnerabilities: 'x' }, /\/vulnerabilities: not an array/],
    [
      { ...scanDocument(), secrets: [{ ruleId: 1 }] },
      /\/secrets\/0\/ruleId: not a string[\s\S]*\/secrets\/0\/location/,
    ],
    [{ ...scanDocument(), target: {} }, /\/target\/name/],
    [{ ...scanDocument(), schemaVersion: '1' }, /\/schemaVersion/],
  ];
  for (const [value, message] of cases) {
    assert.throws(
      () => asScanDocument(value, 'upload'),
      (e: unknown) => e instanceof CustomsError && e.code === 'SCAN_RESULT_INVALID' && message.test(e.message),
      String(message),
    );
  }
  const many = { ...scanDocument(), malware: Array.from({ length: 50 }, () => ({})) };
  assert.throws(() => asScanDocument(many, 'upload'), /and 190 more/);
});
