import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { renderCycloneDxVex } from './cdx-vex.js';
import { sampleResult, sampleVerdict } from './test-support/machine-sample.js';
import { writerTester } from './test-support/writer-tester.js';

/** The official CycloneDX 1.6 strict JSON schema, through the library's validator (as src/sbom's tests do). */
async function validate(json: string): Promise<string> {
  const err: unknown = await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(json);
  return err === null ? '' : JSON.stringify(err, null, 2);
}

interface Vuln {
  'bom-ref': string;
  id: string;
  source: { name: string; url?: string };
  references?: { id: string }[];
  ratings: { severity: string; method: string; score?: number; vector?: string }[];
  recommendation?: string;
  published?: string;
  affects: { ref: string; versions: { version: string; status: string }[] }[];
  analysis: { state: string; justification?: string; response?: string[]; detail?: string };
}
interface Bom {
  specVersion: string;
  serialNumber: string;
  components: { 'bom-ref': string; name: string }[];
  vulnerabilities: Vuln[];
}

test('CycloneDX VEX validates against the official 1.6 schema, with and without a verdict; a broken one does not', async () => {
  for (const opts of [{}, { verdict: sampleVerdict() }])
    assert.equal(await validate(renderCycloneDxVex(sampleResult(), opts)), '');
  const bad = JSON.parse(renderCycloneDxVex(sampleResult())) as Bom;
  (bad.vulnerabilities[0] as Vuln).analysis.state = 'fine';
  assert.match(await validate(JSON.stringify(bad)), /analysis\/state/);
});

test('CycloneDX VEX: components from the SBOM writer, vulnerabilities affect them by bom-ref, with ratings and analysis', () => {
  const bom = writerTester('cyclonedx')
    .renders(sampleResult(), { verdict: sampleVerdict() })
    .deterministic()
    .json<Bom>();
  assert.equal(bom.specVersion, '1.6');
  assert.deepEqual(bom.components.map((c) => c['bom-ref']).sort(), [
    'os:debian@12.5',
    'pkg-curl',
    'pkg-odd',
    'pkg-requests',
  ]);
  const refs = new Set(bom.components.map((c) => c['bom-ref']));
  for (const v of bom.vulnerabilities) for (const a of v.affects) assert.ok(refs.has(a.ref), a.ref);
  const v = (id: string): Vuln => bom.vulnerabilities.find((x) => x.id === id) as Vuln;

  const curl = v('CVE-2023-38545');
  assert.deepEqual(curl.source, { name: 'NVD', url: 'https://nvd.nist.gov/vuln/detail/CVE-2023-38545' });
  assert.deepEqual(curl.ratings[0], {
    severity: 'critical',
    method: 'CVSSv31',
    score: 9.8,
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    source: { name: 'nvd' },
  });
  assert.equal(curl.ratings[1]?.method, 'other');
  assert.deepEqual(curl.affects[0]?.versions, [
    { version: '7.88.1-10+deb12u1', status: 'affected' },
    { version: '7.88.1-10+deb12u4', status: 'unaffected' },
  ]);
  assert.equal(curl.analysis.state, 'exploitable');
  assert.deepEqual(curl.analysis.response, ['update']);
  assert.match(
    curl.recommendation ?? '',
    /to 7\.88\.1-10\+deb12u4.*rebuilding on a newer base image.*Policy remediation/,
  );
  assert.equal(curl.published, '2023-10-18T04:15:11Z');
  // Suppressed by an OpenVEX statement: not_affected, its justification in CycloneDX terms.
  const requests = v('CVE-2023-32681');
  assert.equal(requests.analysis.state, 'not_affected');
  assert.equal(requests.analysis.justification, 'code_not_reachable');
  assert.deepEqual(
    requests.references?.map((r) => r.id),
    ['GHSA-j8r2-6x86-q33q', 'PYSEC-2023-74'],
  );
  // Nobody assessed it: in triage; no fix: no unaffected version.
  const odd = v('CVE-2024-0001');
  assert.equal(odd.analysis.state, 'in_triage');
  assert.deepEqual(odd.affects[0]?.versions, [{ version: '1.0.0', status: 'affected' }]);

  // Without a verdict nothing is exploitable or suppressed yet.
  const plain = JSON.parse(renderCycloneDxVex(sampleResult())) as Bom;
  assert.deepEqual([...new Set(plain.vulnerabilities.map((x) => x.analysis.state))], ['in_triage']);
  assert.notEqual(plain.serialNumber, bom.serialNumber);
});
