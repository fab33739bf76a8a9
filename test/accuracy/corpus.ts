/**
 * The matching regression corpus: images (an OS and packages) and the findings each must
 * give, written by hand from the advisories in feeds/ (real formats: Debian
 * Security Tracker JSON, Alpine secdb, OSV). Every package sits just below, at
 * or above a fixed version, or exercises a rule: Debian backports (`~deb12u1`,
 * `+deb12u10` > `+deb12u4`), epochs (deb and rpm: no epoch is epoch 0), source
 * vs binary names and versions, per-release data (Debian 11 ≠ 12), not-affected,
 * will-not-fix, end-of-life and unfixed statuses, withdrawn advisories, OSV
 * `last_affected`, `limit` and `versions`, and name normalisation (PEP 503,
 * NuGet and Composer case). Records marked "synthetic" in feeds/osv exist only
 * to exercise a rule; the others carry the real advisories' IDs and fixes.
 */
import type { Ecosystem, OsInfo } from '../../src/core/index.js';

export interface CorpusPackage {
  readonly ecosystem: Ecosystem;
  readonly name: string;
  readonly version: string;
  readonly source?: { readonly name: string; readonly version: string };
  readonly epoch?: number;
  /** Expected findings: primary ID → [state, fixed versions]. */
  readonly expect: Readonly<Record<string, readonly [string, readonly string[]]>>;
}

export interface CorpusImage {
  readonly name: string;
  readonly os?: OsInfo;
  readonly packages: readonly CorpusPackage[];
  /** Notes that must appear (substrings). */
  readonly notes?: readonly string[];
}

const deb = (
  name: string,
  version: string,
  src: string,
  srcVersion: string,
  expect: CorpusPackage['expect'] = {},
): CorpusPackage => ({
  ecosystem: 'deb',
  name,
  version,
  source: { name: src, version: srcVersion },
  expect,
});
const pkg = (
  ecosystem: Ecosystem,
  name: string,
  version: string,
  expect: CorpusPackage['expect'] = {},
): CorpusPackage => ({ ecosystem, name, version, expect });
const fixed = (...v: string[]): readonly [string, readonly string[]] => ['fixed', v];

export const CORPUS: readonly CorpusImage[] = [
  {
    name: 'debian-12',
    os: { family: 'debian', version: '12.5', name: 'Debian GNU/Linux 12 (bookworm)', codename: 'bookworm' },
    packages: [
      // openssl: CVE-2023-5678 fixed in 3.0.13-1~deb12u1; CVE-2023-5363 in 3.0.11-1~deb12u2 (tracker and DSA-5532-1).
      deb('libssl3', '3.0.11-1~deb12u1', 'openssl', '3.0.11-1~deb12u1', {
        'CVE-2023-5678': fixed('3.0.13-1~deb12u1'),
        'CVE-2023-5363': fixed('3.0.11-1~deb12u2'),
      }),
      deb('openssl', '3.0.13-1~deb12u1', 'openssl', '3.0.13-1~deb12u1'),
      deb('libssl3', '3.0.15-1~deb12u1', 'openssl', '3.0.15-1~deb12u1'),
      // curl CVE-2023-38545 fixed in 7.88.1-10+deb12u4: u3 below, u4 at, u10 above (numeric, not string, order).
      deb('curl', '7.88.1-10+deb12u3', 'curl', '7.88.1-10+deb12u3', { 'CVE-2023-38545': fixed('7.88.1-10+deb12u4') }),
      deb('libcurl4', '7.88.1-10+deb12u4', 'curl', '7.88.1-10+deb12u4'),
      deb('curl', '7.88.1-10+deb12u10', 'curl', '7.88.1-10+deb12u10'),
      // bind9 CVE-2023-50387 fixed in 1:9.18.24-1: an epoch-less 9.18.28-1 is epoch 0, so older.
      deb('bind9-libs', '1:9.18.19-1~deb12u1', 'bind9', '1:9.18.19-1~deb12u1', {
        'CVE-2023-50387': fixed('1:9.18.24-1'),
      }),
      deb('bind9-host', '1:9.18.24-1', 'bind9', '1:9.18.24-1'),
      deb('bind9-dnsutils', '9.18.28-1', 'bind9', '9.18.28-1', { 'CVE-2023-50387': fixed('1:9.18.24-1') }),
      // glibc CVE-2023-4911 fixed in 2.36-9+deb12u3; binary libc6 of source glibc.
      deb('libc6', '2.36-9+deb12u1', 'glibc', '2.36-9+deb12u1', { 'CVE-2023-4911': fixed('2.36-9+deb12u3') }),
      deb('libc-bin', '2.36-9+deb12u3', 'glibc', '2.36-9+deb12u3'),
      // zlib CVE-2023-45853: no-dsa, ignored → will-not-fix; a binNMU binary version (+b1) and its source.
      deb('zlib1g', '1:1.2.13.dfsg-1+b1', 'zlib', '1:1.2.13.dfsg-1', { 'CVE-2023-45853': ['will-not-fix', []] }),
      // expat CVE-2023-52425: open, postponed → unfixed.
      deb('libexpat1', '2.5.0-1', 'expat', '2.5.0-1', { 'CVE-2023-52425': ['unfixed', []] }),
      deb('thunderbird', '1:115.4.1-1~deb12u1', 'thunderbird', '1:115.4.1-1~deb12u1', {
        'CVE-2023-6204': fixed('1:115.5.0-1~deb12u1'),
      }),
      // openjdk-11 in bookworm: no security support → end-of-life.
      deb('openjdk-11-jre-headless', '11.0.20+8-1~deb12u1', 'openjdk-11', '11.0.20+8-1~deb12u1', {
        'CVE-2024-20918': ['end-of-life', []],
      }),
    ],
  },
  {
    name: 'debian-11',
    os: { family: 'debian', version: '11.8', name: 'Debian GNU/Linux 11 (bullseye)', codename: 'bullseye' },
    packages: [
      // CVE-2023-5363 is "0" (not affected) for bullseye, and DSA-5532-1 is bookworm's only.
      deb('libssl1.1', '1.1.1w-0+deb11u1', 'openssl', '1.1.1w-0+deb11u1', {
        'CVE-2023-5678': fixed('1.1.1w-0+deb11u2'),
      }),
      deb('libssl1.1', '1.1.1w-0+deb11u2', 'openssl', '1.1.1w-0+deb11u2'),
      // glibc 2.31 predates the Looney Tunables bug: not affected in bullseye.
      deb('libc6', '2.31-13+deb11u7', 'glibc', '2.31-13+deb11u7'),
      // ~deb11u1 backports with an epoch.
      deb('thunderbird', '1:115.4.1-1~deb11u1', 'thunderbird', '1:115.4.1-1~deb11u1', {
        'CVE-2023-6204': fixed('1:115.5.0-1~deb11u1'),
      }),
      deb('thunderbird', '1:115.5.0-1~deb11u1', 'thunderbird', '1:115.5.0-1~deb11u1'),
      deb('thunderbird', '1:115.5.0-1', 'thunderbird', '1:115.5.0-1'),
      deb('curl', '7.74.0-1.3+deb11u9', 'curl', '7.74.0-1.3+deb11u9', {
        'CVE-2023-38545': fixed('7.74.0-1.3+deb11u10'),
      }),
      deb('bind9-libs', '1:9.16.44-1~deb11u1', 'bind9', '1:9.16.44-1~deb11u1', {
        'CVE-2023-50387': fixed('1:9.16.48-1'),
      }),
    ],
  },
  {
    name: 'ubuntu-22.04',
    os: { family: 'ubuntu', version: '22.04', name: 'Ubuntu 22.04.3 LTS', codename: 'jammy' },
    packages: [
      // USN-6429-1 fixes CVE-2023-38545 and CVE-2023-38546 in 7.81.0-1ubuntu1.14: one finding per CVE.
      deb('libcurl4', '7.81.0-1ubuntu1.13', 'curl', '7.81.0-1ubuntu1.13', {
        'CVE-2023-38545': fixed('7.81.0-1ubuntu1.14'),
        'CVE-2023-38546': fixed('7.81.0-1ubuntu1.14'),
      }),
      deb('curl', '7.81.0-1ubuntu1.14', 'curl', '7.81.0-1ubuntu1.14'),
      deb('curl', '7.81.0-1ubuntu1.15', 'curl', '7.81.0-1ubuntu1.15'),
    ],
  },
  {
    name: 'alpine-3.19',
    os: { family: 'alpine', version: '3.19.1', name: 'Alpine Linux v3.19' },
    packages: [
      {
        ecosystem: 'apk',
        name: 'libcrypto3',
        version: '3.1.4-r0',
        source: { name: 'openssl', version: '3.1.4-r0' },
        expect: { 'CVE-2023-5678': fixed('3.1.4-r1'), 'CVE-2024-0727': fixed('3.1.4-r5') },
      },
      {
        ecosystem: 'apk',
        name: 'libssl3',
        version: '3.1.4-r1',
        source: { name: 'openssl', version: '3.1.4-r1' },
        expect: { 'CVE-2024-0727': fixed('3.1.4-r5') },
      },
      {
        ecosystem: 'apk',
        name: 'openssl',
        version: '3.1.4-r5',
        source: { name: 'openssl', version: '3.1.4-r5' },
        expect: {},
      },
      {
        ecosystem: 'apk',
        name: 'busybox',
        version: '1.36.1-r14',
        source: { name: 'busybox', version: '1.36.1-r14' },
        expect: { 'CVE-2023-42363': fixed('1.36.1-r15'), 'CVE-2023-42364': fixed('1.36.1-r15') },
      },
      {
        ecosystem: 'apk',
        name: 'busybox-binsh',
        version: '1.36.1-r15',
        source: { name: 'busybox', version: '1.36.1-r15' },
        expect: {},
      },
    ],
  },
  {
    name: 'alpine-3.18 (no data for the release)',
    os: { family: 'alpine', version: '3.18.4', name: 'Alpine Linux v3.18' },
    packages: [
      {
        ecosystem: 'apk',
        name: 'libcrypto3',
        version: '3.1.0-r0',
        source: { name: 'openssl', version: '3.1.0-r0' },
        expect: {},
      },
    ],
    notes: ['no advisories for Alpine v3.18 in this DB'],
  },
  {
    name: 'almalinux-9',
    os: { family: 'almalinux', version: '9.3', name: 'AlmaLinux 9.3 (Shamrock Pampas Cat)' },
    packages: [
      {
        ecosystem: 'rpm',
        name: 'openssl-libs',
        version: '3.0.7-24.el9',
        epoch: 1,
        source: { name: 'openssl', version: '3.0.7-24.el9' },
        expect: { 'CVE-2023-5678': fixed('1:3.0.7-25.el9_3'), 'CVE-2023-5363': fixed('1:3.0.7-25.el9_3') },
      },
      {
        ecosystem: 'rpm',
        name: 'openssl',
        version: '3.0.7-25.el9_3',
        epoch: 1,
        source: { name: 'openssl', version: '3.0.7-25.el9_3' },
        expect: {},
      },
      {
        ecosystem: 'rpm',
        name: 'openssl-devel',
        version: '3.0.7-27.el9',
        epoch: 1,
        source: { name: 'openssl', version: '3.0.7-27.el9' },
        expect: {},
      },
      // No epoch is epoch 0: older than any 1:… however high the version.
      {
        ecosystem: 'rpm',
        name: 'openssl-perl',
        version: '3.0.8-1.el9',
        source: { name: 'openssl', version: '3.0.8-1.el9' },
        expect: { 'CVE-2023-5678': fixed('1:3.0.7-25.el9_3'), 'CVE-2023-5363': fixed('1:3.0.7-25.el9_3') },
      },
    ],
  },
  {
    name: 'rocky-9',
    os: { family: 'rocky', version: '9.2', name: 'Rocky Linux 9.2 (Blue Onyx)' },
    packages: [
      {
        ecosystem: 'rpm',
        name: 'nodejs',
        version: '18.16.1-1.module+el9.2.0+14000+aaaaaaaa',
        epoch: 1,
        source: { name: 'nodejs', version: '18.16.1-1.module+el9.2.0+14000+aaaaaaaa' },
        expect: { 'CVE-2023-44487': fixed('1:18.18.2-2.module+el9.2.0+15212+4f1b1d8e') },
      },
      {
        ecosystem: 'rpm',
        name: 'nodejs-libs',
        version: '18.18.2-2.module+el9.2.0+15212+4f1b1d8e',
        epoch: 1,
        source: { name: 'nodejs', version: '18.18.2-2.module+el9.2.0+15212+4f1b1d8e' },
        expect: {},
      },
    ],
  },
  {
    name: 'language packages',
    packages: [
      // npm semver (GHSA-c2qf-rxjj-qqgw): [0,5.7.2) [6.0.0,6.3.1) [7.0.0,7.5.2), SEMVER.
      pkg('npm', 'semver', '5.7.1', { 'CVE-2022-25883': fixed('5.7.2') }),
      pkg('npm', 'semver', '5.7.2'),
      pkg('npm', 'semver', '6.0.0-rc.1'),
      pkg('npm', 'semver', '6.3.0', { 'CVE-2022-25883': fixed('6.3.1') }),
      pkg('npm', 'semver', '7.5.2'),
      pkg('npm', 'semver', '7.6.0'),
      pkg('npm', 'path-to-regexp', '1.0.0'), // withdrawn advisory only
      pkg('npm', 'ip', '1.1.8', { 'CUSTOMS-TEST-LIMIT-1': ['unfixed', []] }),
      pkg('npm', 'ip', '1.5.0'),
      pkg('npm', 'ip', '0.9.0'),
      // requests: GHSA-j8r2-6x86-q33q and PYSEC-2023-74 are one flaw, CVE-2023-32681; PEP 503 and PEP 440.
      pkg('pypi', 'Requests', '2.28.1', { 'CVE-2023-32681': fixed('2.31.0') }),
      pkg('pypi', 'requests', '2.31.0'),
      pkg('pypi', 'requests', '2.2.1'),
      pkg('pypi', 'requests', '2.31.0rc1', { 'CVE-2023-32681': fixed('2.31.0') }),
      pkg('pypi', 'mpmath', '1.2.1', { 'CUSTOMS-TEST-LAST-AFFECTED-1': ['unfixed', []] }),
      pkg('pypi', 'mpmath', '1.3.0'),
      pkg('pypi', 'Zope.Interface', '5.0.1', { 'CUSTOMS-TEST-VERSIONS-1': ['unfixed', []] }),
      pkg('pypi', 'zope-interface', '5.0.2'),
      // GO-2023-2102: stdlib [0,1.20.10) [1.21.0-0,1.21.3); golang.org/x/net [0,0.17.0).
      pkg('golang', 'stdlib', 'v1.19.8', { 'CVE-2023-39325': fixed('v1.20.10') }),
      pkg('golang', 'stdlib', 'v1.20.10'),
      pkg('golang', 'stdlib', 'v1.21.0', { 'CVE-2023-39325': fixed('v1.21.3') }),
      pkg('golang', 'stdlib', 'v1.21.2', { 'CVE-2023-39325': fixed('v1.21.3') }),
      pkg('golang', 'stdlib', 'v1.21.3'),
      pkg('golang', 'golang.org/x/net', 'v0.15.0', { 'CVE-2023-39325': fixed('v0.17.0') }),
      pkg('golang', 'golang.org/x/net', 'v0.17.0'),
      pkg('golang', 'golang.org/x/net', 'v0.0.0-20230101000000-abcdef123456', { 'CVE-2023-39325': fixed('v0.17.0') }),
      // Log4Shell: [2.0-beta9,2.3.1) [2.4,2.12.2) [2.13.0,2.15.0) in Maven order.
      pkg('maven', 'org.apache.logging.log4j:log4j-core', '2.14.1', { 'CVE-2021-44228': fixed('2.15.0') }),
      pkg('maven', 'org.apache.logging.log4j:log4j-core', '2.15.0'),
      pkg('maven', 'org.apache.logging.log4j:log4j-core', '2.12.1', { 'CVE-2021-44228': fixed('2.12.2') }),
      pkg('maven', 'org.apache.logging.log4j:log4j-core', '2.12.2'),
      pkg('maven', 'org.apache.logging.log4j:log4j-core', '2.3', { 'CVE-2021-44228': fixed('2.3.1') }),
      pkg('maven', 'org.apache.logging.log4j:log4j-core', '2.3.1'),
      pkg('maven', 'org.apache.logging.log4j:log4j-core', '2.0-beta9', { 'CVE-2021-44228': fixed('2.3.1') }),
      pkg('maven', 'org.apache.logging.log4j:log4j-core', '2.0-alpha1'),
      pkg('maven', 'log4j-core', '2.14.1'), // no groupId: a note, not a guess
      pkg('cargo', 'time', '0.2.22', { 'CVE-2020-26235': fixed('0.2.23') }),
      pkg('cargo', 'time', '0.2.23'),
      pkg('cargo', 'time', '0.1.45'),
      pkg('gem', 'nokogiri', '1.13.3', { 'CVE-2022-24836': fixed('1.13.4') }),
      pkg('gem', 'nokogiri', '1.13.4'),
      pkg('gem', 'nokogiri', '1.13.4.rc1', { 'CVE-2022-24836': fixed('1.13.4') }),
      pkg('composer', 'guzzlehttp/guzzle', '7.4.4', { 'CVE-2022-31090': fixed('7.4.5') }),
      pkg('composer', 'guzzlehttp/guzzle', '7.4.5'),
      pkg('composer', 'GuzzleHttp/Guzzle', '6.5.7', { 'CVE-2022-31090': fixed('6.5.8') }),
      pkg('composer', 'guzzlehttp/guzzle', '6.5.8'),
      pkg('nuget', 'Newtonsoft.Json', '12.0.3', { 'CVE-2024-21907': fixed('13.0.1') }),
      pkg('nuget', 'newtonsoft.json', '13.0.1'),
    ],
    notes: ['log4j-core 2.14.1 has no Maven groupId'],
  },
];
