import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import Ajv2020 from 'ajv/dist/2020.js';
import type { VulnFinding } from '../match/index.js';
import { renderScanJson } from './scan-json.js';
import { scanJsonSchema } from './scan-json-schema.js';
import { renderScanTable } from './scan-table.js';
import type { ScanResult } from '../result/index.js';

const schemaFile = new URL('../../schema/scan-result-v1.json', import.meta.url);
const L1 = 'sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const L2 = 'sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

const finding = (over: Partial<VulnFinding>): VulnFinding => ({
  id: 'CVE-2023-38545',
  aliases: ['DSA-5510-1'],
  packageId: 'p1',
  package: {
    ecosystem: 'deb',
    name: 'curl',
    version: '7.88.1-10+deb12u1',
    purl: 'pkg:deb/debian/curl@7.88.1-10%2Bdeb12u1',
  },
  installedVersion: '7.88.1-10+deb12u1',
  fixedVersions: ['7.88.1-10+deb12u4'],
  state: 'fixed',
  severity: 'critical',
  severitySource: 'nvd',
  ratings: [
    {
      source: 'nvd',
      severity: 'critical',
      vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      score: 9.8,
      cvssVersion: '3.1',
    },
  ],
  cvss: { vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8, version: '3.1' },
  kev: false,
  layer: L1,
  paths: ['var/lib/dpkg/status'],
  url: 'https://security-tracker.debian.org/tracker/CVE-2023-38545',
  match: {
    matcher: 'deb-distro',
    searchedBy: 'source package curl in Debian:12',
    advisory: 'CVE-2023-38545, DSA-5510-1',
    constraint: '>= 0, < 7.88.1-10+deb12u4 (ECOSYSTEM)',
  },
  ...over,
});

const sample = (): ScanResult => ({
  schemaVersion: 1,
  scanners: ['vuln'],
  inventory: {
    schemaVersion: 1,
    tool: { name: 'customs', version: '0.1.0' },
    createdAt: '2026-01-01T00:00:00.000Z',
    target: {
      name: 'docker-archive:app.tar',
      transport: 'docker-archive',
      configDigest: L2,
      repoDigests: [],
      repoTags: [],
      layers: [
        { diffID: L1, digest: L1, mediaType: 'application/vnd.oci.image.layer.v1.tar' },
        { diffID: L2, digest: L2, mediaType: 'application/vnd.oci.image.layer.v1.tar' },
      ],
    },
    os: { family: 'debian', version: '12.5', name: 'Debian GNU/Linux 12 (bookworm)' },
    packages: [],
    unknowns: [],
  },
  vulnerabilities: [
    finding({}),
    finding({
      id: 'CVE-2023-32681',
      aliases: ['GHSA-j8r2-6x86-q33q'],
      packageId: 'p2',
      severity: 'medium',
      severitySource: 'ghsa',
      layer: L2,
      installedVersion: '2.28.1',
      fixedVersions: ['2.31.0'],
      package: { ecosystem: 'pypi', name: 'requests\u001b[31m', version: '2.28.1', purl: 'pkg:pypi/requests@2.28.1' },
    }),
    finding({
      id: 'CVE-2024-0001',
      packageId: 'p3',
      severity: 'low',
      state: 'unfixed',
      fixedVersions: [],
      severitySource: 'debian',
    }),
  ],
  notes: [
    {
      message: 'no advisories for Debian 13 in this DB (built 2026-01-01); run customs db update',
      ecosystem: 'Debian:13',
    },
  ],
  db: {
    path: '/tmp/customs.db',
    schemaVersion: 1,
    builtAt: '2026-01-01T00:00:00.000Z',
    sources: [{ name: 'osv', timestamp: '2026-01-01T00:00:00Z', records: 3 }],
  },
});

test('schema/scan-result-v1.json is generated from the TypeBox schema (UPDATE_GOLDEN=1 rewrites it)', () => {
  const want = `${JSON.stringify(scanJsonSchema(), null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN) writeFileSync(schemaFile, want);
  assert.equal(readFileSync(schemaFile, 'utf8'), want);
});

test('scan JSON validates against the published schema, is deterministic and counts by severity', () => {
  const json = renderScanJson(sample());
  assert.equal(json, renderScanJson(sample()));
  const ajv = new Ajv2020.default({ strict: false, allErrors: true });
  const validate = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')) as object);
  const doc = JSON.parse(json) as { summary: Record<string, number>; vulnerabilities: { id: string }[] };
  assert.equal(validate(doc), true, JSON.stringify(validate.errors));
  assert.deepEqual(doc.summary, {
    total: 3,
    critical: 1,
    high: 0,
    medium: 1,
    low: 1,
    unknown: 0,
    packages: 0,
    vulnerablePackages: 3,
    unknowns: 0,
  });
  assert.deepEqual(
    doc.vulnerabilities.map((v) => v.id),
    ['CVE-2023-38545', 'CVE-2023-32681', 'CVE-2024-0001'],
  );
  const broken = { ...doc, vulnerabilities: [{ id: 1 }] };
  assert.equal(validate(broken), false);
});

test('table: columns, layer labels, summary, notes; escapes made printable; narrow widths stay in bounds', () => {
  const text = renderScanTable(sample(), { width: 120 });
  const lines = text.split('\n');
  const header = lines.find((l) => l.startsWith('SEVERITY'));
  assert.match(header ?? '', /^SEVERITY\s+ID\s+PACKAGE\s+INSTALLED\s+FIXED\s+STATUS\s+LAYER$/);
  assert.match(text, /CRITICAL\s+CVE-2023-38545\s+curl\s+7\.88\.1-10\+deb12u1\s+7\.88\.1-10\+deb12u4\s+fixed\s+L1/);
  assert.match(text, /MEDIUM\s+CVE-2023-32681\s+requests\?\[31m\s+2\.28\.1\s+2\.31\.0\s+fixed\s+L2/);
  assert.match(text, /LOW\s+CVE-2024-0001\s+curl\s+\S+\s+-\s+unfixed/);
  assert.ok(!text.includes('\u001b'), 'no raw escape from package names');
  assert.match(text, /Total: 3 \(critical: 1, high: 0, medium: 1, low: 1, unknown: 0\) in 3 packages/);
  assert.match(text, /Notes:\n {2}- no advisories for Debian 13/);
  for (const w of [60, 70, 90]) {
    for (const l of renderScanTable(sample(), { width: w })
      .split('\n')
      .filter((x) => /^(SEVERITY|CRITICAL|MEDIUM|LOW)/.test(x))) {
      assert.ok([...l].length <= w, `line of ${[...l].length} > ${w}: ${l}`);
    }
  }
  assert.ok(renderScanTable(sample(), { color: true }).includes('\u001b[1;31mCRITICAL'));
  assert.match(renderScanTable({ ...sample(), vulnerabilities: [] }), /No vulnerabilities found\.\n\nTotal: 0/);
});
