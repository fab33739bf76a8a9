import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scoreVector, severityFromScore, severityFromWord } from './cvss.js';

// Expected scores are NVD's published base scores for these vectors (nvd.nist.gov/vuln-metrics/cvss).
test('scores v2, v3.0, v3.1 and v4.0 vectors per the FIRST equations', () => {
  assert.deepEqual(scoreVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H'), {
    version: '3.1',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H',
    score: 10,
    severity: 'critical',
  });
  assert.equal(scoreVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H')?.score, 7.5); // CVE-2023-44487
  assert.equal(scoreVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H')?.score, 8.8); // CVE-2023-4863
  assert.equal(scoreVector('CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')?.score, 9.8);
  const v2 = scoreVector('(AV:N/AC:M/Au:N/C:C/I:C/A:C)'); // CVE-2021-44228, NVD v2 9.3
  assert.equal(v2?.score, 9.3);
  assert.equal(v2?.severity, 'high');
  assert.equal(scoreVector('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')?.score, 9.3);
});

test('refuses partial, unknown or hostile vectors instead of scoring nonsense', () => {
  for (const v of [
    '',
    'garbage',
    'CVSS:3.1/AV:N',
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:Z',
    'CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    'CVSS:9.9/AV:N',
    `CVSS:3.1/${'AV:N/'.repeat(200)}`,
  ]) {
    assert.equal(scoreVector(v), undefined, v);
  }
});

test('qualitative ratings and vendor words', () => {
  assert.equal(severityFromScore(9.0, '3.1'), 'critical');
  assert.equal(severityFromScore(6.9, '3.1'), 'medium');
  assert.equal(severityFromScore(9.3, '2.0'), 'high');
  assert.equal(severityFromScore(Number.NaN, '3.1'), 'unknown');
  assert.equal(severityFromWord('MODERATE'), 'medium');
  assert.equal(severityFromWord('important'), 'high');
  assert.equal(severityFromWord('low**'), 'low');
  assert.equal(severityFromWord('unimportant'), 'low');
  assert.equal(severityFromWord('not yet assigned'), 'unknown');
});
