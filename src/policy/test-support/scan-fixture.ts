/**
 * A scan result for policy tests: a Debian 12 image with an app layer on top.
 * Advisory facts are real: CVE-2023-38545 (curl SOCKS5 heap overflow, NVD
 * 9.8, fixed in Debian 7.88.1-10+deb12u4, DSA-5521), CVE-2024-0727 (OpenSSL
 * PKCS12 NULL dereference, NVD 5.5, fixed 3.0.13-1~deb12u1), CVE-2021-44228
 * (Log4Shell, NVD 10.0, CISA KEV, fixed 2.15.0 / 2.12.2 / 2.3.1), and
 * CVE-2021-23337 (lodash template command injection, NVD 7.2, fixed 4.17.21).
 */
import type { Package } from '../../core/index.js';
import type { VulnFinding } from '../../match/index.js';
import type { ScanResult } from '../../result/index.js';

export const BASE_LAYER = 'sha256:1111111111111111111111111111111111111111111111111111111111111111';
export const APP_LAYER = 'sha256:2222222222222222222222222222222222222222222222222222222222222222';

function pkg(p: Omit<Package, 'id' | 'paths'> & { paths?: string[] }): Package {
  return { id: `id-${p.ecosystem}-${p.name}`, paths: p.paths ?? [], ...p };
}

export const PACKAGES: Package[] = [
  pkg({
    ecosystem: 'deb',
    name: 'curl',
    version: '7.88.1-10+deb12u1',
    source: { name: 'curl', version: '7.88.1-10+deb12u1' },
    purl: 'pkg:deb/debian/curl@7.88.1-10%2Bdeb12u1?arch=amd64&distro=debian-12',
    layer: BASE_LAYER,
    license: 'curl',
    paths: ['var/lib/dpkg/status'],
  }),
  pkg({
    ecosystem: 'deb',
    name: 'libssl3',
    version: '3.0.11-1~deb12u2',
    source: { name: 'openssl', version: '3.0.11-1~deb12u2' },
    purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12',
    layer: BASE_LAYER,
    license: 'Apache-2.0',
    paths: ['var/lib/dpkg/status'],
  }),
  pkg({
    ecosystem: 'deb',
    name: 'readline-common',
    version: '8.2-1.3',
    purl: 'pkg:deb/debian/readline-common@8.2-1.3?arch=all&distro=debian-12',
    layer: BASE_LAYER,
    license: 'GPL-3.0-or-later',
    paths: ['var/lib/dpkg/status'],
  }),
  pkg({
    ecosystem: 'maven',
    name: 'org.apache.logging.log4j:log4j-core',
    version: '2.14.1',
    purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
    layer: APP_LAYER,
    license: 'Apache-2.0',
    paths: ['app/lib/log4j-core-2.14.1.jar'],
  }),
  pkg({
    ecosystem: 'npm',
    name: 'lodash',
    version: '4.17.20',
    purl: 'pkg:npm/lodash@4.17.20',
    layer: APP_LAYER,
    license: 'MIT',
    paths: ['app/node_modules/lodash/package.json'],
  }),
  pkg({
    ecosystem: 'npm',
    name: 'dual',
    version: '1.0.0',
    purl: 'pkg:npm/dual@1.0.0',
    layer: APP_LAYER,
    license: 'GPL-3.0-only OR MIT',
    paths: ['app/node_modules/dual/package.json'],
  }),
  pkg({
    ecosystem: 'npm',
    name: 'both',
    version: '1.0.0',
    purl: 'pkg:npm/both@1.0.0',
    layer: APP_LAYER,
    license: 'GPL-3.0-only AND MIT',
    paths: ['app/node_modules/both/package.json'],
  }),
];

function vuln(
  p: Package,
  v: Partial<VulnFinding> & Pick<VulnFinding, 'id' | 'severity' | 'fixedVersions'>,
): VulnFinding {
  return {
    aliases: [],
    packageId: p.id,
    package: { ecosystem: p.ecosystem, name: p.name, version: p.version, purl: p.purl },
    installedVersion: p.version,
    state: v.fixedVersions.length > 0 ? 'fixed' : 'unfixed',
    severitySource: 'nvd',
    ratings: [],
    kev: false,
    layer: p.layer,
    paths: p.paths,
    url: `https://osv.dev/${v.id}`,
    match: { matcher: 'test', searchedBy: p.name, advisory: v.id, constraint: '' },
    ...v,
  };
}

const [curl, libssl, , log4j, lodash] = PACKAGES as [Package, Package, Package, Package, Package];

export const VULNS: VulnFinding[] = [
  vuln(curl, {
    id: 'CVE-2023-38545',
    aliases: ['DSA-5521-1'],
    severity: 'critical',
    fixedVersions: ['7.88.1-10+deb12u4'],
    cvss: { vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8, version: '3.1' },
    epss: { score: 0.18, percentile: 0.96 },
    published: '2023-10-18T04:15:11Z',
  }),
  vuln(curl, {
    id: 'CVE-2023-38546',
    severity: 'low',
    fixedVersions: ['7.88.1-10+deb12u4'],
    cvss: { vector: 'CVSS:3.1/AV:L/AC:H/PR:N/UI:N/S:U/C:N/I:L/A:N', score: 3.7, version: '3.1' },
    published: '2023-10-18T04:15:11Z',
  }),
  vuln(libssl, {
    id: 'CVE-2024-0727',
    severity: 'medium',
    fixedVersions: ['3.0.13-1~deb12u1'],
    cvss: { vector: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H', score: 5.5, version: '3.1' },
    published: '2024-01-26T09:15:07Z',
  }),
  vuln(libssl, { id: 'CVE-2024-2511', severity: 'low', fixedVersions: [] }),
  vuln(log4j, {
    id: 'CVE-2021-44228',
    aliases: ['GHSA-jfh8-c2jp-5v3q'],
    severity: 'critical',
    fixedVersions: ['2.3.1', '2.12.2', '2.15.0'],
    kev: true,
    cvss: { vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', score: 10, version: '3.1' },
    epss: { score: 0.944, percentile: 1 },
    published: '2021-12-10T10:15:09Z',
  }),
  vuln(log4j, {
    id: 'CVE-2021-45046',
    aliases: ['GHSA-7rjr-3q55-vv33'],
    severity: 'critical',
    fixedVersions: ['2.12.2', '2.16.0', '2.3.1'],
    kev: true,
    cvss: { vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H', score: 9.0, version: '3.1' },
    published: '2021-12-14T19:15:07Z',
  }),
  vuln(lodash, {
    id: 'CVE-2021-23337',
    aliases: ['GHSA-35jh-r3h4-6jhm'],
    severity: 'high',
    fixedVersions: ['4.17.21'],
    cvss: { vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H', score: 7.2, version: '3.1' },
    published: '2021-02-15T13:15:12Z',
  }),
];

export function scanFixture(over: Partial<ScanResult> = {}): ScanResult {
  return {
    inventory: {
      schemaVersion: 1,
      tool: { name: 'customs', version: '0.1.0' },
      createdAt: '2024-06-01T00:00:00.000Z',
      target: {
        name: 'registry.example.com/team/app:1.4.2',
        transport: 'registry',
        manifestDigest: 'sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
        configDigest: 'sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
        repoDigests: [
          'registry.example.com/team/app@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
        ],
        repoTags: ['registry.example.com/team/app:1.4.2'],
        platform: 'linux/amd64',
        created: '2024-03-01T12:00:00Z',
        labels: {
          'org.opencontainers.image.base.name': 'docker.io/library/debian:12.5-slim',
          'org.opencontainers.image.base.digest':
            'sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc',
          'org.opencontainers.image.source': 'https://github.com/example/app',
        },
        layers: [
          {
            diffID: BASE_LAYER,
            digest: BASE_LAYER,
            size: 29_000_000,
            mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          },
          {
            diffID: APP_LAYER,
            digest: APP_LAYER,
            size: 12_000_000,
            mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          },
        ],
      },
      os: { family: 'debian', version: '12', name: 'Debian GNU/Linux 12 (bookworm)', codename: 'bookworm' },
      packages: PACKAGES,
      unknowns: [],
    },
    schemaVersion: 1,
    notes: [],
    vulnerabilities: VULNS,
    scanners: ['vuln', 'secret', 'misconfig', 'malware', 'license'],
    secrets: [
      {
        ruleId: 'aws-access-key-id',
        category: 'cloud',
        title: 'AWS access key ID',
        severity: 'critical',
        line: 3,
        match: 'AKIA****************',
        location: 'app/.env',
        path: 'app/.env',
        layer: APP_LAYER,
      },
      {
        ruleId: 'generic-password',
        category: 'generic',
        title: 'Password',
        severity: 'medium',
        match: 'PASSWORD=****',
        location: 'config Env[2]',
      },
    ],
    misconfigurations: [
      {
        checkId: 'CUS-IMG-001',
        severity: 'high',
        title: 'Image runs as root',
        message: 'no USER',
        target: 'registry.example.com/team/app:1.4.2',
      },
      {
        checkId: 'CUS-IMG-002',
        severity: 'low',
        title: 'Image has no HEALTHCHECK',
        message: 'no HEALTHCHECK',
        target: 'registry.example.com/team/app:1.4.2',
      },
    ],
    malware: [],
    ...over,
  };
}
