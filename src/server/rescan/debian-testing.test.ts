/**
 * Debian testing/unstable images have no VERSION_ID: their os-release says
 * PRETTY_NAME="Debian GNU/Linux trixie/sid" and VERSION_CODENAME=trixie, and
 * /etc/debian_version says "trixie/sid". The matcher and the store's package
 * index must key them alike ("Debian:13", the key the feeds' "trixie" folds
 * to), or a package index query and a rescan miss them. The images are real
 * OCI layouts analysed by the engine, on SQLite and on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createContext } from '../../core/index.js';
import { sbom } from '../../engine/index.js';
import { writeOciLayout } from '../../image/test-support/image-fixtures.js';
import { distroKey } from '../../match/index.js';
import type { Inventory } from '../../sbom/index.js';
import { inventoryPackagesOf, openStore, type Store } from '../../store/index.js';
import { onPostgresCluster } from '../../store/test-support/postgres.js';
import { openVulnDb } from '../../vulndb/index.js';
import { buildTestDb } from '../../vulndb/test-support/osv-records.js';
import type { ServerContext, ServerLog } from '../context.js';
import { rescan } from './rescan.js';
import { scanDocumentOf } from './test-support/synthetic.js';

const root = mkdtempSync(join(tmpdir(), 'customs-debian-testing-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** os-release of a Debian testing image (base-files of trixie before its release): no VERSION_ID. */
const TESTING_OS_RELEASE = [
  'PRETTY_NAME="Debian GNU/Linux trixie/sid"',
  'NAME="Debian GNU/Linux"',
  'VERSION_CODENAME=trixie',
  'ID=debian',
  'HOME_URL="https://www.debian.org/"',
  'SUPPORT_URL="https://www.debian.org/support"',
  'BUG_REPORT_URL="https://bugs.debian.org/"',
  '',
].join('\n');

const dpkgStatus = (pkgs: readonly { name: string; version: string; source?: string }[]) =>
  pkgs
    .map(
      (p) =>
        `Package: ${p.name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${p.version}\n${p.source ? `Source: ${p.source}\n` : ''}Description: ${p.name}\n`,
    )
    .join('\n');

const PACKAGES = [
  { name: 'libssl3t64', version: '3.3.2-1', source: 'openssl' },
  { name: 'bash', version: '5.2.32-1' },
];

/** The inventory the engine reads from an OCI layout with these release files. */
async function inventoryOf(name: string, withDebianVersion: boolean): Promise<Inventory> {
  const layout = join(root, name);
  writeOciLayout(layout, [
    {
      refName: name,
      image: {
        layers: [
          {
            files: [
              { path: 'etc/os-release', data: TESTING_OS_RELEASE },
              ...(withDebianVersion ? [{ path: 'etc/debian_version', data: 'trixie/sid\n' }] : []),
              { path: 'var/lib/dpkg/status', data: dpkgStatus(PACKAGES) },
            ],
          },
        ],
      },
    },
  ]);
  const ctx = createContext({
    config: { cacheDir: join(root, 'cache'), cache: false, dockerConfig: join(root, 'no-docker.json') },
  });
  return sbom(`oci:${layout}:${name}`, ctx);
}

let oldDb = '';
let newDb = '';
const images: { digest: string; inventory: Inventory }[] = [];

before(async () => {
  // The old DB knows nothing about the image's packages; the new one adds a trixie advisory
  // for its openssl source package, spelled as OSV's Debian records spell the release.
  oldDb = await buildTestDb(join(root, 'old'), [
    { id: 'CVE-2026-30001', ecosystem: 'Debian:12', name: 'zlib', fixed: '1:1.2.13.dfsg-2', severity: 'LOW' },
  ]);
  newDb = await buildTestDb(join(root, 'new'), [
    { id: 'CVE-2026-30001', ecosystem: 'Debian:12', name: 'zlib', fixed: '1:1.2.13.dfsg-2', severity: 'LOW' },
    { id: 'CVE-2026-30002', ecosystem: 'Debian:13', name: 'openssl', fixed: '3.3.3-1', severity: 'HIGH' },
  ]);
  for (const [name, withDebianVersion] of [
    ['with-debian-version', true],
    ['os-release-only', false],
  ] as const) {
    const inventory = await inventoryOf(name, withDebianVersion);
    images.push({ digest: inventory.target.manifestDigest ?? '', inventory });
  }
});

const quiet: ServerLog = {
  info: () => undefined,
  debug: () => undefined,
  error: () => undefined,
  warn: () => undefined,
};

test('the engine reads a trixie/sid image as Debian trixie with no numeric version; the matcher keys it Debian:13', () => {
  for (const { inventory } of images) {
    assert.equal(inventory.os?.family, 'debian');
    assert.equal(inventory.os?.codename, 'trixie');
    assert.ok(!/^\d/.test(inventory.os?.version ?? ''), inventory.os?.version);
    assert.equal(distroKey(inventory.os), 'Debian:13');
  }
  assert.deepEqual(
    images.map((i) => i.inventory.os?.version),
    ['trixie/sid', ''],
  );
});

function suite(name: string, newTarget: () => Promise<string>): void {
  describe(`a Debian trixie/sid image on ${name}`, () => {
    test('is found by a package index query under the matcher key and rescanned when a feed adds an advisory for one of its packages', async () => {
      const store: Store = await openStore(await newTarget());
      try {
        const reg = await store.registries.add({ name: 'registry.example', url: 'https://registry.example' });
        const reader = openVulnDb(oldDb);
        try {
          for (const img of images) {
            const repo = await store.images.ensureRepository(reg.id, 'debian/testing');
            await store.images.setTag(repo.id, img.digest.slice(7, 19), img.digest);
            await store.scans.record({
              imageDigest: img.digest,
              document: scanDocumentOf(img.inventory, reader),
              packages: inventoryPackagesOf(img.inventory),
            });
          }
        } finally {
          reader.close();
        }
        const digests = images.map((i) => i.digest).sort();

        for (const img of images) {
          const rows = await store.packages.inventory(img.digest);
          assert.deepEqual(
            [...new Set(rows.filter((r) => r.ecosystem === 'deb').map((r) => r.namespace))],
            [distroKey(img.inventory.os)],
            'OS rows are filed under the key the matcher uses',
          );
        }
        const byName = await store.packages.imagesWithPackage('openssl', 'Debian:13');
        assert.deepEqual([...new Set(byName.map((h) => h.imageDigest))].sort(), digests);
        const byKey = await store.packages.imagesWithPackageKeys([{ namespace: 'Debian:13', name: 'openssl' }]);
        assert.deepEqual([...new Set(byKey.map((h) => h.imageDigest))].sort(), digests);

        for (const img of images) assert.deepEqual(await store.findings.forImage(img.digest), []);
        const ctx: ServerContext = {
          store,
          log: quiet,
          dataDir: root,
          signal: new AbortController().signal,
          now: () => Date.now(),
        };
        const report = await rescan(ctx, { from: oldDb, to: newDb });
        assert.equal(report.mode, 'keys');
        assert.equal(report.images, images.length, JSON.stringify(report));
        assert.equal(report.findings.new, images.length, JSON.stringify(report));
        for (const img of images) {
          const open = await store.findings.forImage(img.digest);
          assert.deepEqual(
            open.map((f) => [f.findingId, f.severity]),
            [['CVE-2026-30002', 'high']],
            img.inventory.os?.version,
          );
        }
      } finally {
        await store.close();
      }
    });
  });
}

suite('SQLite', async () => join(mkdtempSync(join(root, 'store-')), 'data'));

onPostgresCluster(suite);
