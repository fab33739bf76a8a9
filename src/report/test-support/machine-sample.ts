/**
 * A scan result for the machine-readable writers' tests. Facts of the
 * vulnerabilities come from real advisories: CVE-2023-38545 (curl SOCKS5
 * heap overflow, DSA-5510-1, fixed in Debian 12 by 7.88.1-10+deb12u4) and
 * CVE-2023-32681 (requests Proxy-Authorization leak, GHSA-j8r2-6x86-q33q,
 * fixed in 2.31.0).
 */
import type { VulnFinding } from '../../match/index.js';
import type { Verdict } from '../../policy/index.js';
import type { ScanResult } from '../../result/index.js';

export const L1 = 'sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
export const L2 = 'sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

const curl: VulnFinding = {
  id: 'CVE-2023-38545',
  aliases: ['DSA-5510-1'],
  packageId: 'pkg-curl',
  package: {
    ecosystem: 'deb',
    name: 'curl',
    version: '7.88.1-10+deb12u1',
    purl: 'pkg:deb/debian/curl@7.88.1-10%2Bdeb12u1?arch=amd64&distro=debian-12',
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
    { source: 'debian', severity: 'high' },
  ],
  cvss: { vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8, version: '3.1' },
  kev: false,
  title: 'SOCKS5 heap buffer overflow',
  published: '2023-10-18T04:15:11Z',
  layer: L1,
  paths: ['var/lib/dpkg/status'],
  url: 'https://security-tracker.debian.org/tracker/CVE-2023-38545',
  match: {
    matcher: 'deb-distro',
    searchedBy: 'source package curl in Debian:12',
    advisory: 'CVE-2023-38545',
    constraint: '< 7.88.1-10+deb12u4',
  },
};

const requests: VulnFinding = {
  ...curl,
  id: 'CVE-2023-32681',
  aliases: ['GHSA-j8r2-6x86-q33q', 'PYSEC-2023-74'],
  packageId: 'pkg-requests',
  package: { ecosystem: 'pypi', name: 'requests', version: '2.28.1', purl: 'pkg:pypi/requests@2.28.1' },
  installedVersion: '2.28.1',
  fixedVersions: ['2.31.0'],
  severity: 'medium',
  severitySource: 'ghsa',
  ratings: [
    {
      source: 'ghsa',
      severity: 'medium',
      vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N',
      score: 6.1,
      cvssVersion: '3.1',
    },
  ],
  cvss: { vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N', score: 6.1, version: '3.1' },
  title: 'Unintended leak of Proxy-Authorization header',
  published: '2023-05-26T18:15:14Z',
  layer: L2,
  paths: ['usr/lib/python3/dist-packages/requests-2.28.1.dist-info/METADATA'],
  url: 'https://github.com/advisories/GHSA-j8r2-6x86-q33q',
};

/** An unfixed low finding with no CVSS, in a path with a space and markup, to test escaping. */
const odd: VulnFinding = {
  ...curl,
  id: 'CVE-2024-0001',
  aliases: [],
  packageId: 'pkg-odd',
  package: { ecosystem: 'npm', name: '<odd&"pkg">', version: '1.0.0', purl: 'pkg:npm/odd@1.0.0' },
  installedVersion: '1.0.0',
  fixedVersions: [],
  state: 'unfixed',
  severity: 'low',
  severitySource: 'debian',
  ratings: [{ source: 'debian', severity: 'low' }],
  layer: L2,
  paths: ['app/node modules/odd pkg/package.json'],
  url: 'https://nvd.nist.gov/vuln/detail/CVE-2024-0001',
};
delete (odd as { cvss?: unknown }).cvss;
delete (odd as { title?: unknown }).title;

export const sampleResult = (): ScanResult => ({
  schemaVersion: 1,
  scanners: ['vuln', 'secret', 'misconfig', 'malware'],
  inventory: {
    schemaVersion: 1,
    tool: { name: 'customs', version: '0.1.0' },
    createdAt: '2026-01-01T00:00:00.000Z',
    target: {
      name: 'docker-archive:app.tar',
      transport: 'docker-archive',
      configDigest: L2,
      repoDigests: [],
      repoTags: ['example/app:1.0'],
      layers: [
        { diffID: L1, digest: L1, mediaType: 'application/vnd.oci.image.layer.v1.tar' },
        { diffID: L2, digest: L2, mediaType: 'application/vnd.oci.image.layer.v1.tar' },
      ],
    },
    os: { family: 'debian', version: '12.5', name: 'Debian GNU/Linux 12 (bookworm)' },
    packages: [
      {
        id: 'pkg-curl',
        ecosystem: 'deb',
        name: 'curl',
        version: '7.88.1-10+deb12u1',
        purl: curl.package.purl,
        paths: ['var/lib/dpkg/status'],
        layer: L1,
      },
      {
        id: 'pkg-requests',
        ecosystem: 'pypi',
        name: 'requests',
        version: '2.28.1',
        purl: requests.package.purl,
        paths: requests.paths,
        layer: L2,
      },
      {
        id: 'pkg-odd',
        ecosystem: 'npm',
        name: 'odd',
        version: '1.0.0',
        purl: odd.package.purl,
        paths: odd.paths,
        layer: L2,
      },
    ],
    unknowns: [],
  },
  vulnerabilities: [curl, requests, odd],
  notes: [],
  secrets: [
    {
      ruleId: 'aws-access-key-id',
      category: 'AWS',
      title: 'AWS Access Key ID',
      severity: 'critical',
      line: 3,
      column: 5,
      match: 'AWS_ACCESS_KEY_ID=AKIA****************',
      location: 'app/.env',
      path: 'app/.env',
      layer: L2,
    },
    {
      ruleId: 'github-pat',
      category: 'GitHub',
      title: 'GitHub Personal Access Token',
      severity: 'high',
      match: 'ghp_****',
      location: 'config Env[2]',
    },
  ],
  misconfigurations: [
    {
      checkId: 'CUS-IMG-001',
      severity: 'high',
      title: 'Image runs as root',
      message: 'No USER: the container runs as root',
      target: 'docker-archive:app.tar',
    },
    {
      checkId: 'CUS-DF-004',
      severity: 'medium',
      title: 'Dockerfile check',
      message: 'RUN uses "sudo" & <tricks>',
      target: 'Dockerfile',
      location: { path: 'Dockerfile', startLine: 4, endLine: 5 },
    },
  ],
  malware: [
    {
      kind: 'miner',
      ruleId: 'xmrig',
      severity: 'critical',
      title: 'XMRig cryptocurrency miner',
      detail: 'xmrig binary',
      path: 'usr/local/bin/xmrig',
      layer: L2,
    },
  ],
});

export const sampleVerdict = (): Verdict => ({
  status: 'fail',
  rules: [
    {
      ruleId: 'no-critical',
      action: 'fail',
      message: 'No critical vulnerabilities',
      source: 'policy.yaml',
      findings: [{ kind: 'vuln', id: 'CVE-2023-38545@pkg-curl', summary: 'CVE-2023-38545 in curl' }],
    },
    {
      ruleId: 'no-secrets',
      action: 'warn',
      message: 'Secrets should not ship',
      source: 'policy.yaml',
      findings: [{ kind: 'secret', id: 'aws-access-key-id@app/.env:3', summary: 'AWS key in app/.env' }],
    },
  ],
  suppressed: [
    {
      finding: { kind: 'vuln', id: 'GHSA-j8r2-6x86-q33q@pkg-requests', summary: 'CVE-2023-32681 in requests' },
      by: 'vex',
      reason: 'no proxy is configured',
      vex: {
        status: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
        document: 'app.openvex.json',
      },
    },
    {
      finding: { kind: 'misconfig', id: 'CUS-IMG-001@docker-archive:app.tar', summary: 'runs as root' },
      by: 'exception',
      reason: 'init container needs root',
      owner: 'team-a',
      expires: '2026-12-31',
    },
  ],
  expiredExceptions: [],
  remediation: [
    {
      package: 'curl',
      from: '7.88.1-10+deb12u1',
      to: '7.88.1-10+deb12u4',
      how: 'rebuild-base',
      clears: ['no-critical'],
    },
  ],
  policies: ['policy.yaml'],
});
