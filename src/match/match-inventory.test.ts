import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OsInfo, Package } from '../core/index.js';
import type { Inventory } from '../sbom/index.js';
import type { Advisory } from '../vulndb/index.js';
import { matchInventory } from './match-inventory.js';
import { memoryDb } from './test-support/memory-db.js';

const LAYER = 'sha256:1111111111111111111111111111111111111111111111111111111111111111';
const pkg = (p: Partial<Package> & Pick<Package, 'ecosystem' | 'name' | 'version'>): Package => ({
  id: `${p.ecosystem}-${p.name}-${p.version}`,
  purl: `pkg:${p.ecosystem}/${p.name}@${p.version}`,
  paths: ['var/lib/dpkg/status'],
  layer: LAYER,
  ...p,
});
const inventory = (packages: Package[], os?: OsInfo): Inventory => ({
  schemaVersion: 1,
  tool: { name: 'customs', version: '0.0.0' },
  createdAt: '2026-01-01T00:00:00Z',
  target: { name: 't', transport: 'dir', configDigest: LAYER, repoDigests: [], repoTags: [], layers: [] },
  ...(os ? { os } : {}),
  packages,
  unknowns: [],
});
const bookworm: OsInfo = {
  family: 'debian',
  version: '12.5',
  name: 'Debian GNU/Linux 12 (bookworm)',
  codename: 'bookworm',
};
const adv = (a: Partial<Advisory> & Pick<Advisory, 'id' | 'affected'>): Advisory => ({
  aliases: [],
  references: [],
  severity: [],
  source: 'test',
  ...a,
});
const fixedIn = (ecosystem: string, name: string, fixed: string) => ({
  ecosystem,
  name,
  ranges: [{ type: 'ECOSYSTEM' as const, events: [{ introduced: '0' }, { fixed }] }],
  versions: [],
});

test('Debian: by source package and source version, release 12.5 → Debian:12, DSA merged into the CVE', () => {
  const db = memoryDb(
    [
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
    ],
    [
      {
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
      },
    ],
  );
  const libssl = pkg({
    ecosystem: 'deb',
    name: 'libssl3',
    version: '3.0.9-1+b1',
    source: { name: 'openssl', version: '3.0.9-1' },
  });
  const fixedPkg = pkg({
    ecosystem: 'deb',
    name: 'openssl',
    version: '3.0.11-1~deb12u1',
    source: { name: 'openssl', version: '3.0.11-1~deb12u1' },
  });
  const r = matchInventory(inventory([libssl, fixedPkg], bookworm), db);
  assert.equal(r.findings.length, 1);
  const f = r.findings[0];
  assert.ok(f);
  assert.equal(f.id, 'CVE-2023-4807');
  assert.deepEqual(f.aliases, ['DSA-5532-1']);
  assert.equal(f.package.name, 'libssl3');
  assert.deepEqual(f.fixedVersions, ['3.0.11-1~deb12u1']);
  assert.equal(f.state, 'fixed');
  assert.equal(f.severity, 'low', 'the distro rating wins over NVD for a distro package');
  assert.equal(f.severitySource, 'debian');
  assert.equal(f.cvss?.score, 8.1);
  assert.equal(f.kev, true);
  assert.equal(f.match.searchedBy, 'source package openssl in Debian:12');
  assert.equal(f.match.comparedVersion, '3.0.9-1');
  assert.equal(f.url, 'https://security-tracker.debian.org/tracker/CVE-2023-4807');
  assert.deepEqual(r.notes, []);
});

test('a distro "not affected" statement suppresses the flaw; unfixed and end-of-life states are kept', () => {
  const db = memoryDb([
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
  ]);
  const z = pkg({
    ecosystem: 'deb',
    name: 'zlib1g',
    version: '1:1.2.13.dfsg-1',
    source: { name: 'zlib', version: '1:1.2.13.dfsg-1' },
  });
  const r = matchInventory(inventory([z], bookworm), db);
  assert.deepEqual(
    r.findings.map((f) => [f.id, f.state, f.fixedVersions.length]),
    [['CVE-2024-2', 'end-of-life', 0]],
  );
});

test('unknown release, invalid versions and withdrawn advisories give notes, not findings or crashes', () => {
  const db = memoryDb([
    adv({ id: 'CVE-2024-3', affected: [fixedIn('Debian:12', 'bash', '5.2.15-3')] }),
    adv({
      id: 'GHSA-wwww-xxxx-yyyy',
      withdrawn: '2024-01-02T00:00:00Z',
      affected: [fixedIn('PyPI', 'requests', '9.0')],
    }),
    adv({ id: 'PYSEC-2024-1', affected: [fixedIn('PyPI', 'requests', '2.31.0')] }),
  ]);
  const trixie: OsInfo = { family: 'debian', version: '13', name: 'Debian GNU/Linux 13 (trixie)' };
  const r = matchInventory(
    inventory(
      [
        pkg({ ecosystem: 'deb', name: 'bash', version: '5.2.15-2', source: { name: 'bash', version: '5.2.15-2' } }),
        pkg({ ecosystem: 'pypi', name: 'Requests', version: 'not!a version' }),
        pkg({ ecosystem: 'pypi', name: 'requests', version: '2.30.0', id: 'r2' }),
      ],
      trixie,
    ),
    db,
  );
  assert.deepEqual(
    r.findings.map((f) => f.id),
    ['PYSEC-2024-1'],
  );
  assert.deepEqual(
    r.notes.map((n) => n.message),
    [
      'no advisories for Debian 13 in this DB (built 2026-01-01); run customs db update',
      'Requests not!a version is not a valid pep440 version; 2 advisory statement(s) about it were not evaluated',
    ],
  );
});

test('language: GHSA rating first, aliases merged, PEP 503 names, Go stdlib with "v" versions', () => {
  const db = memoryDb([
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
  ]);
  const r = matchInventory(
    inventory([
      pkg({ ecosystem: 'pypi', name: 'Requests', version: '2.28.1' }),
      pkg({ ecosystem: 'golang', name: 'stdlib', version: 'v1.21.2' }),
      pkg({ ecosystem: 'golang', name: 'stdlib', version: 'v1.21.3', id: 'go2' }),
    ]),
    db,
  );
  assert.deepEqual(
    r.findings.map((f) => [f.id, f.aliases.join(' '), f.severity, f.severitySource, f.fixedVersions.join(' ')]),
    [
      ['CVE-2023-32681', 'GHSA-j8r2-6x86-q33q PYSEC-2023-74', 'medium', 'ghsa', '2.31.0'],
      ['CVE-2023-39325', 'GO-2023-2102', 'unknown', 'none', 'v1.21.3'],
    ],
  );
  assert.equal(r.findings[0]?.url, 'https://github.com/advisories/GHSA-j8r2-6x86-q33q');
});
