import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIgnoreFile } from './ignorefile.js';
import { filterScan } from './scan-filters.js';
import { sampleResult } from './test-support/gate-sample.js';

const NOW = new Date('2026-06-01T00:00:00Z');

test('scan filters: --severity, --ignore-unfixed and --ignorefile drop what the gate would not count', () => {
  const r = sampleResult();
  const ids = (x: typeof r): string[] => x.vulnerabilities.map((f) => f.id);
  assert.deepEqual(ids(filterScan(r, {}, NOW).result), ids(r));
  assert.deepEqual(ids(filterScan(r, { severities: ['critical', 'medium'] }, NOW).result), [
    'CVE-2023-38545',
    'CVE-2023-32681',
  ]);
  assert.ok(!ids(filterScan(r, { ignoreUnfixed: true }, NOW).result).includes('CVE-2024-0001'));
  // An alias in the ignore file names the finding; an expired entry no longer applies and is returned.
  const entries = parseIgnoreFile('DSA-5510-1\nCVE-2023-32681 exp:2000-01-01\n', '.trivyignore');
  const out = filterScan(r, { ignore: { file: '.trivyignore', entries } }, NOW);
  assert.ok(!ids(out.result).includes('CVE-2023-38545'));
  assert.ok(ids(out.result).includes('CVE-2023-32681'));
  assert.equal(out.ignored, 1);
  assert.deepEqual(
    out.expired.map((e) => [e.id, e.source]),
    [['CVE-2023-32681', '.trivyignore:2']],
  );
  // --severity applies to every kind of finding, as in the gate.
  const high = filterScan(r, { severities: ['high'] }, NOW).result;
  assert.ok((high.secrets ?? []).every((s) => s.severity === 'high'));
  assert.ok((high.misconfigurations ?? []).every((m) => m.severity === 'high'));
});
