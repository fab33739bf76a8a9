import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VulnFinding } from '../../match/index.js';
import type { ScanResult } from '../../result/index.js';
import { toHarborReport } from './report.js';

const finding = (over: Partial<VulnFinding>): VulnFinding => ({
  id: 'CVE-2026-1',
  aliases: [],
  packageId: 'p1',
  package: { ecosystem: 'npm', name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash@4.17.20' },
  installedVersion: '4.17.20',
  fixedVersions: [],
  state: 'unfixed',
  severity: 'unknown',
  severitySource: 'none',
  ratings: [],
  kev: false,
  layer: 'sha256:aa',
  paths: [],
  url: 'https://nvd.nist.gov/vuln/detail/CVE-2026-1',
  match: { matcher: 'm', searchedBy: 's', advisory: 'a', constraint: 'c' },
  ...over,
});

const result = (vulnerabilities: VulnFinding[]) => ({ vulnerabilities }) as unknown as ScanResult;
const artifact = { repository: 'a/b', digest: `sha256:${'0'.repeat(64)}` };
const scanner = { name: 'customs', vendor: 'customs', version: '1.0.0' };

test('no vulnerabilities: an empty list and severity Unknown', () => {
  const r = toHarborReport(result([]), artifact, scanner, new Date(0));
  assert.deepEqual([r.vulnerabilities, r.severity, r.generated_at], [[], 'Unknown', '1970-01-01T00:00:00.000Z']);
});

test('severity is the highest item; CVSS v2 and v3 by version; links only http(s); fixes joined', () => {
  const r = toHarborReport(
    result([
      finding({ severity: 'low' }),
      finding({
        id: 'CVE-2026-2',
        severity: 'high',
        fixedVersions: ['4.17.21', '5.0.0'],
        url: 'javascript:alert(1)',
        ratings: [
          {
            source: 'nvd',
            severity: 'high',
            score: 7.5,
            vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
            cvssVersion: '3.1',
          },
          { source: 'nvd', severity: 'medium', score: 5, vector: 'AV:N/AC:L/Au:N/C:P/I:N/A:N', cvssVersion: '2.0' },
          { source: 'ghsa', severity: 'high' },
        ],
      }),
    ]),
    artifact,
    scanner,
    new Date(0),
  );
  assert.equal(r.severity, 'High');
  const [low, high] = r.vulnerabilities;
  assert.deepEqual([low?.severity, low?.fix_version, low?.preferred_cvss], ['Low', undefined, undefined]);
  assert.deepEqual(low?.links, ['https://nvd.nist.gov/vuln/detail/CVE-2026-1']);
  assert.equal(high?.fix_version, '4.17.21, 5.0.0');
  assert.deepEqual(high?.links, []);
  assert.deepEqual(high?.preferred_cvss, {
    score_v3: 7.5,
    vector_v3: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
    score_v2: 5,
    vector_v2: 'AV:N/AC:L/Au:N/C:P/I:N/A:N',
  });
  assert.deepEqual(high?.vendor_attributes.CVSS, {
    nvd: {
      V3Score: 7.5,
      V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
      V2Score: 5,
      V2Vector: 'AV:N/AC:L/Au:N/C:P/I:N/A:N',
    },
  });
});
