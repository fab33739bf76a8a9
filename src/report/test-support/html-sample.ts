/**
 * A scan result for the human-report tests (HTML, Markdown, table): three
 * layers, findings in each, hostile strings from "the image" (markup in a
 * package name, a layer's history, a path), and a Verdict. Advisory facts are
 * real: CVE-2023-38545 (curl SOCKS5 heap overflow, DSA-5510-1, fixed in
 * Debian 12 by 7.88.1-10+deb12u4), CVE-2023-44487 (HTTP/2 rapid reset, in
 * CISA KEV; nghttp2 fixed by 1.52.0-1+deb12u1), CVE-2023-32681 (requests
 * Proxy-Authorization leak, GHSA-j8r2-6x86-q33q, fixed in 2.31.0),
 * CVE-2024-0727 (OpenSSL PKCS12 NULL dereference, fixed by 3.0.13-1~deb12u1).
 */
import type { VulnFinding } from '../../match/index.js';
import type { Verdict } from '../../policy/index.js';
import type { ScanResult } from '../../result/index.js';

export const L1 = 'sha256:1111111111111111111111111111111111111111111111111111111111111111';
export const L2 = 'sha256:2222222222222222222222222222222222222222222222222222222222222222';
export const L3 = 'sha256:3333333333333333333333333333333333333333333333333333333333333333';
/** What a hostile image could name a package. */
export const EVIL_NAME = '<img src=x onerror="document.title=\'pwned\'">|evil';
export const EVIL_HISTORY = '/bin/sh -c #(nop) COPY file:abc in /app </code><script>document.title="pwned"</script>';

const vuln = (
  over: Partial<VulnFinding> & Pick<VulnFinding, 'id' | 'packageId' | 'severity' | 'layer'>,
): VulnFinding => ({
  aliases: [],
  package: {
    ecosystem: 'deb',
    name: 'curl',
    version: '7.88.1-10+deb12u1',
    purl: 'pkg:deb/debian/curl@7.88.1-10%2Bdeb12u1?distro=debian-12',
  },
  installedVersion: '7.88.1-10+deb12u1',
  fixedVersions: [],
  state: 'fixed',
  severitySource: 'debian',
  ratings: [],
  kev: false,
  paths: ['var/lib/dpkg/status'],
  url: `https://security-tracker.debian.org/tracker/${over.id}`,
  match: { matcher: 'deb-distro', searchedBy: 'source package in Debian:12', advisory: over.id, constraint: '< fixed' },
  ...over,
});

export function htmlSample(): ScanResult {
  const vulnerabilities: VulnFinding[] = [
    vuln({
      id: 'CVE-2023-38545',
      aliases: ['DSA-5510-1'],
      packageId: 'pkg-curl',
      severity: 'critical',
      layer: L2,
      fixedVersions: ['7.88.1-10+deb12u4'],
      cvss: { vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8, version: '3.1' },
      title: 'SOCKS5 heap buffer overflow',
    }),
    vuln({
      id: 'CVE-2023-44487',
      packageId: 'pkg-nghttp2',
      severity: 'high',
      layer: L1,
      kev: true,
      package: {
        ecosystem: 'deb',
        name: 'libnghttp2-14',
        version: '1.52.0-1',
        purl: 'pkg:deb/debian/libnghttp2-14@1.52.0-1?distro=debian-12',
      },
      installedVersion: '1.52.0-1',
      fixedVersions: ['1.52.0-1+deb12u1'],
      cvss: { vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', score: 7.5, version: '3.1' },
      title: 'HTTP/2 rapid reset',
    }),
    vuln({
      id: 'CVE-2024-0727',
      packageId: 'pkg-openssl',
      severity: 'low',
      layer: L1,
      package: {
        ecosystem: 'deb',
        name: 'libssl3',
        version: '3.0.11-1~deb12u2',
        purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?distro=debian-12',
      },
      installedVersion: '3.0.11-1~deb12u2',
      fixedVersions: ['3.0.13-1~deb12u1'],
      cvss: { vector: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H', score: 5.5, version: '3.1' },
    }),
    vuln({
      id: 'CVE-2023-32681',
      aliases: ['GHSA-j8r2-6x86-q33q'],
      packageId: 'pkg-evil',
      severity: 'medium',
      severitySource: 'ghsa',
      layer: L3,
      package: { ecosystem: 'pypi', name: EVIL_NAME, version: '2.28.1', purl: 'pkg:pypi/requests@2.28.1' },
      installedVersion: '2.28.1',
      fixedVersions: ['2.31.0'],
      paths: ['app/requirements.txt'],
      url: 'javascript:document.title="pwned"',
      cvss: { vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N', score: 6.1, version: '3.1' },
    }),
  ];
  return {
    schemaVersion: 1,
    scanners: ['vuln', 'secret', 'misconfig', 'malware', 'license'],
    inventory: {
      schemaVersion: 1,
      tool: { name: 'customs', version: '0.1.0' },
      createdAt: '2026-01-10T12:00:00.000Z',
      target: {
        name: 'docker-archive:app.tar',
        transport: 'docker-archive',
        configDigest: L3,
        repoDigests: [],
        repoTags: ['app:1'],
        platform: 'linux/amd64',
        layers: [
          {
            diffID: L1,
            digest: L1,
            mediaType: 'application/vnd.oci.image.layer.v1.tar',
            size: 1000,
            createdBy: '/bin/sh -c #(nop) ADD file:0123 in / ',
          },
          {
            diffID: L2,
            digest: L2,
            mediaType: 'application/vnd.oci.image.layer.v1.tar',
            size: 2000,
            createdBy: '/bin/sh -c apt-get install -y curl',
          },
          {
            diffID: L3,
            digest: L3,
            mediaType: 'application/vnd.oci.image.layer.v1.tar',
            size: 3000,
            createdBy: EVIL_HISTORY,
          },
        ],
      },
      os: { family: 'debian', version: '12.1', name: 'Debian GNU/Linux 12 (bookworm)' },
      packages: [
        {
          id: 'pkg-curl',
          ecosystem: 'deb',
          name: 'curl',
          version: '7.88.1-10+deb12u1',
          purl: 'pkg:deb/debian/curl@7.88.1-10%2Bdeb12u1?distro=debian-12',
          paths: ['var/lib/dpkg/status'],
          layer: L2,
        },
        {
          id: 'pkg-nghttp2',
          ecosystem: 'deb',
          name: 'libnghttp2-14',
          version: '1.52.0-1',
          purl: 'pkg:deb/debian/libnghttp2-14@1.52.0-1?distro=debian-12',
          paths: ['var/lib/dpkg/status'],
          layer: L1,
        },
        {
          id: 'pkg-evil',
          ecosystem: 'pypi',
          name: EVIL_NAME,
          version: '2.28.1',
          purl: 'pkg:pypi/requests@2.28.1',
          paths: ['app/requirements.txt'],
          layer: L3,
        },
      ],
      unknowns: [],
    },
    vulnerabilities,
    notes: [{ message: 'no advisories for <b>pypi</b> older than the DB' }],
    db: {
      path: '/tmp/customs.db',
      schemaVersion: 1,
      builtAt: '2026-01-07T12:00:00.000Z',
      sources: [{ name: 'osv', timestamp: '2026-01-07T00:00:00Z', records: 4 }],
    },
    secrets: [
      {
        ruleId: 'aws-access-key-id',
        category: 'AWS',
        title: 'AWS access key ID',
        severity: 'critical',
        line: 3,
        column: 1,
        match: 'AWS_ACCESS_KEY_ID=AKIA****************',
        location: 'app/.env',
        path: 'app/.env',
        layer: L3,
      },
      {
        ruleId: 'github-pat',
        category: 'GitHub',
        title: 'GitHub personal access token',
        severity: 'high',
        line: 1,
        match: 'ghp_************************************',
        location: 'root/.token',
        path: 'root/.token',
        layer: L2,
        hiddenByLayer: L3,
      },
    ],
    misconfigurations: [
      {
        checkId: 'CUS-IMG-001',
        severity: 'high',
        title: 'Image runs as root',
        message: 'The image config sets no USER: containers run as root',
        target: 'image config',
      },
    ],
    malware: [
      {
        kind: 'miner',
        ruleId: 'xmrig',
        severity: 'critical',
        title: 'Cryptocurrency miner',
        detail: 'xmrig strings',
        path: 'usr/local/bin/<x>',
        layer: L3,
      },
    ],
    licenses: {
      byLicense: [
        { license: 'Apache-2.0', category: 'permissive', packages: ['pkg:pypi/requests@2.28.1'] },
        {
          license: 'MIT',
          category: 'permissive',
          packages: [
            'pkg:deb/debian/curl@7.88.1-10%2Bdeb12u1?distro=debian-12',
            'pkg:deb/debian/libnghttp2-14@1.52.0-1?distro=debian-12',
          ],
        },
      ],
      byCategory: { permissive: 3, 'weak-copyleft': 0, 'strong-copyleft': 0, unknown: 0 },
      unknown: [],
    },
  };
}

export function sampleVerdict(): Verdict {
  return {
    status: 'fail',
    rules: [
      {
        ruleId: 'no-critical',
        action: 'fail',
        message: 'No critical | fixable vulnerabilities',
        source: 'policy.yaml',
        findings: [
          {
            kind: 'vuln',
            id: 'CVE-2023-38545@pkg-curl',
            summary: 'CVE-2023-38545 in curl 7.88.1-10+deb12u1 (critical, fixed in 7.88.1-10+deb12u4)',
          },
        ],
      },
      {
        ruleId: 'no-secrets',
        action: 'warn',
        message: 'Secrets in the image',
        source: 'policy.yaml',
        findings: [{ kind: 'secret', id: 'aws-access-key-id@app/.env:3', summary: 'AWS access key ID in app/.env:3' }],
      },
    ],
    suppressed: [
      {
        finding: {
          kind: 'vuln',
          id: 'CVE-2023-44487@pkg-nghttp2',
          summary: 'CVE-2023-44487 in libnghttp2-14 1.52.0-1',
        },
        by: 'vex',
        reason: 'HTTP/2 is not used',
        vex: {
          status: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
          document: 'app.openvex.json',
        },
      },
    ],
    expiredExceptions: [
      {
        id: 'CVE-2022-0001',
        reason: 'waiting for upstream',
        owner: 'team-a',
        expired: '2026-01-01',
        source: 'policy.yaml',
      },
    ],
    remediation: [
      { package: 'curl', from: '7.88.1-10+deb12u1', to: '7.88.1-10+deb12u4', how: 'upgrade', clears: ['no-critical'] },
    ],
    policies: ['policy.yaml'],
  };
}
