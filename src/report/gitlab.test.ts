import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { testdata } from '../core/test-support/testdata.js';
import { GITLAB_SCHEMA_VERSION, renderGitlab } from './gitlab.js';
import { sampleResult, sampleVerdict } from './test-support/machine-sample.js';
import { writerTester } from './test-support/writer-tester.js';

// See testdata/README.md: a transcription of GitLab's 15.x schema (gitlab.com is unreachable here).
const schema = JSON.parse(
  readFileSync(testdata(import.meta.url, 'gitlab-container-scanning-15.x.schema.json'), 'utf8'),
) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

interface GlVuln {
  id: string;
  name: string;
  severity: string;
  solution: string;
  location: { dependency: { package: { name: string }; version: string }; operating_system: string; image: string };
  identifiers: { type: string; name: string; value: string; url?: string }[];
  links: { url: string }[];
}
interface GlReport {
  version: string;
  scan: { type: string; start_time: string; end_time: string; status: string; analyzer: { id: string } };
  vulnerabilities: GlVuln[];
  remediations: unknown[];
}

test('GitLab report validates against the 15.x schema, with and without a verdict; the schema rejects broken ones', () => {
  for (const opts of [{}, { verdict: sampleVerdict() }]) {
    const doc = JSON.parse(renderGitlab(sampleResult(), opts)) as GlReport;
    assert.equal(validate(doc), true, JSON.stringify(validate.errors, null, 2));
  }
  const doc = JSON.parse(renderGitlab(sampleResult())) as GlReport;
  assert.equal(validate({ ...doc, scan: { ...doc.scan, start_time: '2026-01-01T00:00:00.000Z' } }), false);
  assert.equal(validate({ ...doc, vulnerabilities: [{ ...doc.vulnerabilities[0], severity: 'critical' }] }), false);
});

test('GitLab report: scan block, vulnerabilities with identifiers, location and solution; suppressed ones left out', () => {
  const doc = writerTester('gitlab')
    .renders(sampleResult(), { verdict: sampleVerdict() })
    .deterministic()
    .json<GlReport>();
  assert.equal(doc.version, GITLAB_SCHEMA_VERSION);
  assert.deepEqual(
    { type: doc.scan.type, start: doc.scan.start_time, status: doc.scan.status, analyzer: doc.scan.analyzer.id },
    { type: 'container_scanning', start: '2026-01-01T00:00:00', status: 'success', analyzer: 'customs' },
  );
  // requests is suppressed by VEX: not reported.
  assert.deepEqual(
    doc.vulnerabilities.map((v) => v.name),
    ['CVE-2023-38545 in curl: SOCKS5 heap buffer overflow', 'CVE-2024-0001 in <odd&"pkg">'],
  );
  const curl = doc.vulnerabilities[0] as GlVuln;
  assert.equal(curl.severity, 'Critical');
  assert.deepEqual(curl.location, {
    dependency: { package: { name: 'curl' }, version: '7.88.1-10+deb12u1' },
    operating_system: 'debian 12.5',
    image: 'example/app:1.0',
  });
  assert.deepEqual(curl.identifiers, [
    {
      type: 'cve',
      name: 'CVE-2023-38545',
      value: 'CVE-2023-38545',
      url: 'https://nvd.nist.gov/vuln/detail/CVE-2023-38545',
    },
    {
      type: 'dsa',
      name: 'DSA-5510-1',
      value: 'DSA-5510-1',
      url: 'https://security-tracker.debian.org/tracker/DSA-5510-1',
    },
  ]);
  assert.match(curl.solution, /Upgrade curl from 7\.88\.1-10\+deb12u1 to 7\.88\.1-10\+deb12u4.*newer base image/);
  assert.match(curl.id, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal((doc.vulnerabilities[1] as GlVuln).severity, 'Low');
  // Without a verdict nothing is suppressed.
  assert.equal((JSON.parse(renderGitlab(sampleResult())) as GlReport).vulnerabilities.length, 3);
});

test('GitLab report: long names are cut to 255 characters (code points, as the schema counts) without splitting a pair', () => {
  const r = sampleResult();
  const [first, ...rest] = r.vulnerabilities;
  assert.ok(first);
  // "x" puts the emoji off an even UTF-16 offset, so a cut by code units lands inside a surrogate pair.
  const title = `x${'\u{1F433}'.repeat(300)}`;
  const doc = JSON.parse(renderGitlab({ ...r, vulnerabilities: [{ ...first, title }, ...rest] })) as GlReport;
  const name = doc.vulnerabilities.find((v) => v.name.startsWith(first.id))?.name ?? '';
  assert.equal([...name].length, 255);
  assert.ok(name.endsWith('\u{1F433}…'), name.slice(-8));
  // A lone surrogate (half a pair) is not text: UTF-8 cannot encode it.
  assert.doesNotMatch(name, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  assert.equal(validate(doc), true, JSON.stringify(validate.errors, null, 2));
});
