/**
 * A scan result for the gate's unit tests: real advisories about real packages
 * (curl CVE-2023-38545 / DSA-5510-1, fixed in bookworm 7.88.1-10+deb12u4;
 * requests CVE-2023-32681 / GHSA-j8r2-6x86-q33q, fixed 2.31.0; test/feeds/README.md),
 * one unfixed low finding, a secret, a misconfiguration and a malware hit.
 */
import type { VulnFinding } from '../../match/index.js';
import type { ScanResult } from '../../result/index.js';

export const L1 = 'sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
export const L2 = 'sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

export const vuln = (over: Partial<VulnFinding>): VulnFinding => ({
  id: 'CVE-2023-38545',
  aliases: ['DSA-5510-1'],
  packageId: 'p1',
  package: {
    ecosystem: 'deb',
    name: 'curl',
    version: '7.88.1-10+deb12u1',
    purl: 'pkg:deb/debian/curl@7.88.1-10%2Bdeb12u1?distro=debian-12',
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
  epss: { score: 0.2, percentile: 0.96 },
  kev: false,
  title: 'SOCKS5 heap buffer overflow',
  published: '2023-10-11T00:00:00Z',
  layer: L1,
  paths: ['var/lib/dpkg/status'],
  url: 'https://security-tracker.debian.org/tracker/CVE-2023-38545',
  match: {
    matcher: 'deb-distro',
    searchedBy: 'source package curl in Debian:12',
    advisory: 'DSA-5510-1',
    constraint: '>= 0, < 7.88.1-10+deb12u4',
    comparedVersion: '7.88.1-10+deb12u1',
  },
  ...over,
});

export const sampleResult = (): ScanResult => ({
  schemaVersion: 1,
  scanners: ['vuln', 'secret', 'misconfig', 'malware', 'license'],
  inventory: {
    schemaVersion: 1,
    tool: { name: 'customs', version: '0.1.0' },
    createdAt: '2026-01-01T00:00:00.000Z',
    target: {
      name: 'docker-archive:app.tar',
      transport: 'docker-archive',
      manifestDigest: L1,
      configDigest: L2,
      repoDigests: [],
      repoTags: ['app:1'],
      platform: 'linux/amd64',
      layers: [
        { diffID: L1, digest: L1, mediaType: 'application/vnd.oci.image.layer.v1.tar' },
        { diffID: L2, digest: L2, mediaType: 'application/vnd.oci.image.layer.v1.tar' },
      ],
    },
    os: { family: 'debian', version: '12', name: 'Debian GNU/Linux 12 (bookworm)', codename: 'bookworm' },
    packages: [],
    unknowns: [],
  },
  vulnerabilities: [
    vuln({}),
    vuln({
      id: 'CVE-2023-32681',
      aliases: ['GHSA-j8r2-6x86-q33q'],
      packageId: 'p2',
      severity: 'medium',
      severitySource: 'ghsa',
      layer: L2,
      installedVersion: '2.28.1',
      fixedVersions: ['2.31.0'],
      package: { ecosystem: 'pypi', name: 'requests', version: '2.28.1', purl: 'pkg:pypi/requests@2.28.1' },
      paths: ['usr/lib/python3/dist-packages/requests-2.28.1.dist-info/METADATA'],
    }),
    vuln({
      id: 'CVE-2024-0001',
      aliases: [],
      packageId: 'p3',
      severity: 'low',
      state: 'unfixed',
      fixedVersions: [],
      severitySource: 'debian',
    }),
  ],
  notes: [],
  db: {
    path: '/tmp/customs.db',
    schemaVersion: 1,
    builtAt: '2026-01-01T00:00:00.000Z',
    sources: [{ name: 'osv', timestamp: '2026-01-01T00:00:00Z', records: 3 }],
  },
  secrets: [
    {
      ruleId: 'aws-access-key-id',
      category: 'AWS',
      title: 'AWS Access Key ID',
      severity: 'critical',
      location: 'app/.env',
      path: 'app/.env',
      line: 3,
      column: 1,
      layer: L2,
      match: 'AKIA****************',
    },
  ],
  misconfigurations: [
    {
      checkId: 'CUS-IMG-001',
      severity: 'high',
      title: 'Image runs as root',
      message: 'the config sets no USER',
      target: 'docker-archive:app.tar',
    },
  ],
  malware: [
    {
      kind: 'ioc-hash',
      ruleId: 'ioc-sha256',
      severity: 'critical',
      title: 'Known-bad file',
      detail: 'listed in the IOC list',
      path: 'usr/bin/xmrig',
      layer: L2,
    },
  ],
  licenses: {
    byCategory: { permissive: 1, 'weak-copyleft': 0, 'strong-copyleft': 0, unknown: 0 },
    byLicense: [{ license: 'MIT', category: 'permissive', packages: ['pkg:npm/lodash@4.17.20'] }],
    unknown: [],
  },
});
