import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OsInfo } from '../core/index.js';
import { advisory as adv, fixedIn, matcherTester } from './test-support/matcher-tester.js';

const bookworm: OsInfo = {
  family: 'debian',
  version: '12.5',
  name: 'Debian GNU/Linux 12 (bookworm)',
  codename: 'bookworm',
};

test('Debian: by source package and source version, release 12.5 → Debian:12, DSA merged into the CVE', () => {
  const t = matcherTester(bookworm)
    .advisories(
      adv({
        id: 'CVE-2023-4807',
        affected: [
          {
            ...fixedIn('Debian:12', 'openssl', '3.0.11-1~deb12u1'),
            state: 'fixed',
            severity: [{ source: 'debian', severity: 'low' }],
          },
        ],
      }),
      adv({
        id: 'DSA-5532-1',
        upstream: ['CVE-2023-4807'],
        affected: [fixedIn('Debian:12', 'openssl', '3.0.11-1~deb12u1')],
      }),
      adv({ id: 'CVE-2023-4807', affected: [fixedIn('Debian:11', 'openssl', '1.1.1w-0+deb11u1')] }),
    )
    .enrichment({
      cve: 'CVE-2023-4807',
      severity: [
        {
          source: 'nvd',
          severity: 'high',
          vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H',
          score: 8.1,
          cvssVersion: '3.1',
        },
      ],
      kev: { dateAdded: '2024-01-01' },
    })
    .packages(
      {
        ecosystem: 'deb',
        name: 'libssl3',
        version: '3.0.9-1+b1',
        source: { name: 'openssl', version: '3.0.9-1' },
      },
      {
        ecosystem: 'deb',
        name: 'openssl',
        version: '3.0.11-1~deb12u1',
        source: { name: 'openssl', version: '3.0.11-1~deb12u1' },
      },
    );
  t.expectsIds(['CVE-2023-4807']);
  const f = t.explained('CVE-2023-4807', {
    searchedBy: 'source package openssl in Debian:12',
    comparedVersion: '3.0.9-1',
  });
  assert.deepEqual(f.aliases, ['DSA-5532-1']);
  assert.equal(f.package.name, 'libssl3');
  assert.deepEqual(f.fixedVersions, ['3.0.11-1~deb12u1']);
  assert.equal(f.state, 'fixed');
  assert.equal(f.severity, 'low', 'the distro rating wins over NVD for a distro package');
  assert.equal(f.severitySource, 'debian');
  assert.equal(f.cvss?.score, 8.1);
  assert.equal(f.kev, true);
  assert.equal(f.url, 'https://security-tracker.debian.org/tracker/CVE-2023-4807');
  t.expectsNotes([]);
});

test('a distro "not affected" statement suppresses the flaw; unfixed and end-of-life states are kept', () => {
  const t = matcherTester(bookworm).advisories(
    adv({
      id: 'CVE-2024-1',
      affected: [{ ecosystem: 'Debian:12', name: 'zlib', ranges: [], versions: [], state: 'not-affected' }],
    }),
    adv({ id: 'GHSA-aaaa-bbbb-cccc', aliases: ['CVE-2024-1'], affected: [fixedIn('Debian:12', 'zlib', '9')] }),
    adv({
      id: 'CVE-2024-2',
      affected: [
        {
          ecosystem: 'Debian:12',
          name: 'zlib',
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
          versions: [],
          state: 'end-of-life',
        },
      ],
    }),
  );
  t.packages({
    ecosystem: 'deb',
    name: 'zlib1g',
    version: '1:1.2.13.dfsg-1',
    source: { name: 'zlib', version: '1:1.2.13.dfsg-1' },
  });
  assert.deepEqual(
    t.expectsIds(['CVE-2024-2']).map((f) => [f.id, f.state, f.fixedVersions.length]),
    [['CVE-2024-2', 'end-of-life', 0]],
  );
});

test('unknown release, invalid versions and withdrawn advisories give notes, not findings or crashes', () => {
  const trixie: OsInfo = { family: 'debian', version: '13', name: 'Debian GNU/Linux 13 (trixie)' };
  const t = matcherTester(trixie).advisories(
    adv({ id: 'CVE-2024-3', affected: [fixedIn('Debian:12', 'bash', '5.2.15-3')] }),
    adv({
      id: 'GHSA-wwww-xxxx-yyyy',
      withdrawn: '2024-01-02T00:00:00Z',
      affected: [fixedIn('PyPI', 'requests', '9.0')],
    }),
    adv({ id: 'PYSEC-2024-1', affected: [fixedIn('PyPI', 'requests', '2.31.0')] }),
  );
  t.packages(
    { ecosystem: 'deb', name: 'bash', version: '5.2.15-2', source: { name: 'bash', version: '5.2.15-2' } },
    { ecosystem: 'pypi', name: 'Requests', version: 'not!a version' },
    { ecosystem: 'pypi', name: 'requests', version: '2.30.0', id: 'r2' },
  );
  t.expectsIds(['PYSEC-2024-1']);
  t.expectsNotes([
    'no advisories for Debian 13 in this DB (built 2026-01-01); run customs db update',
    'Requests not!a version is not a valid pep440 version; 2 advisory statement(s) about it were not evaluated',
  ]);
});

test('language: GHSA rating first, aliases merged, PEP 503 names, Go stdlib with "v" versions', () => {
  const t = matcherTester().advisories(
    adv({
      id: 'GHSA-j8r2-6x86-q33q',
      aliases: ['CVE-2023-32681', 'PYSEC-2023-74'],
      severity: [{ source: 'ghsa', severity: 'medium' }],
      affected: [
        {
          ecosystem: 'PyPI',
          name: 'requests',
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2.3.0' }, { fixed: '2.31.0' }] }],
          versions: [],
        },
      ],
    }),
    adv({
      id: 'PYSEC-2023-74',
      aliases: ['CVE-2023-32681'],
      severity: [{ source: 'nvd', severity: 'high' }],
      affected: [fixedIn('PyPI', 'requests', '2.31.0')],
    }),
    adv({
      id: 'GO-2023-2102',
      aliases: ['CVE-2023-39325'],
      affected: [
        {
          ecosystem: 'Go',
          name: 'stdlib',
          ranges: [
            {
              type: 'SEMVER',
              events: [{ introduced: '0' }, { fixed: '1.20.10' }, { introduced: '1.21.0-0' }, { fixed: '1.21.3' }],
            },
          ],
          versions: [],
        },
      ],
    }),
  );
  t.packages(
    { ecosystem: 'pypi', name: 'Requests', version: '2.28.1' },
    { ecosystem: 'golang', name: 'stdlib', version: 'v1.21.2' },
    { ecosystem: 'golang', name: 'stdlib', version: 'v1.21.3', id: 'go2' },
  );
  const findings = t.expectsIds(['CVE-2023-32681', 'CVE-2023-39325']);
  assert.deepEqual(
    findings.map((f) => [f.id, f.aliases.join(' '), f.severity, f.severitySource, f.fixedVersions.join(' ')]),
    [
      ['CVE-2023-32681', 'GHSA-j8r2-6x86-q33q PYSEC-2023-74', 'medium', 'ghsa', '2.31.0'],
      ['CVE-2023-39325', 'GO-2023-2102', 'unknown', 'none', 'v1.21.3'],
    ],
  );
  assert.equal(findings[0]?.url, 'https://github.com/advisories/GHSA-j8r2-6x86-q33q');
});
