import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FileFinding, ImageAnalysis, LayerResult } from '../analyze/index.js';
import { applyLayers } from '../analyze/index.js';
import { createContext, type Digest, type PackageFact } from '../core/index.js';
import type { Image } from '../image/index.js';
import { buildInventory } from './build-inventory.js';

const L1 = `sha256:${'1'.repeat(64)}` as Digest;
const L2 = `sha256:${'2'.repeat(64)}` as Digest;

function image(): Image {
  const layer = (d: Digest) => ({
    diffID: d,
    digest: d,
    mediaType: 'application/vnd.oci.image.layer.v1.tar',
    open: () => Promise.reject(new Error('not used')),
  });
  return {
    name: 'oci:/tmp/x',
    transport: 'oci',
    repoDigests: [],
    repoTags: [],
    configDigest: `sha256:${'c'.repeat(64)}`,
    config: {
      os: 'linux',
      architecture: 'amd64',
      rootfs: { type: 'layers', diff_ids: [L1, L2] },
      history: [
        { created_by: 'ADD rootfs /' },
        { created_by: 'CMD ["x"]', empty_layer: true },
        { created_by: 'RUN npm ci' },
      ],
    },
    layers: [layer(L1), layer(L2)],
    close: () => Promise.resolve(),
  };
}

function layer(diffID: string, findings: FileFinding[]): LayerResult {
  return {
    diffID,
    findings,
    symlinks: [],
    whiteouts: [],
    opaqueDirs: [],
    unknowns: [],
    stats: { entries: 0, bytes: 0 },
  };
}

const f = (
  path: string,
  analyzer: string,
  packages: PackageFact[],
  extra: Partial<FileFinding['result']> = {},
): FileFinding => ({
  path,
  analyzer,
  result: { packages, ...extra },
});

function analysis(layers: LayerResult[]): ImageAnalysis {
  return { merged: applyLayers(layers, []), cached: 0 };
}

const ctx = createContext({ now: () => new Date('2026-01-02T03:04:05Z') });

test('language packages shipped by OS packages are reported once, as the OS package', () => {
  const inv = buildInventory(
    image(),
    analysis([
      layer(L1, [
        f('var/lib/dpkg/status', 'dpkg-status', [
          {
            ecosystem: 'deb',
            name: 'node-semver',
            version: '7.3.5+~7.3.9-2',
            source: { name: 'node-semver', version: '7.3.5+~7.3.9-2' },
          },
        ]),
        f('var/lib/dpkg/info/node-semver.list', 'dpkg-files', [], {
          ownedFiles: ['/usr/share/nodejs/semver/package.json', '/lib/x/METADATA'],
        }),
        f('usr/share/nodejs/semver/package.json', 'npm', [{ ecosystem: 'npm', name: 'semver', version: '7.3.5' }]),
        f('usr/lib/x/METADATA', 'python', [{ ecosystem: 'pypi', name: 'x', version: '1' }]),
        f('etc/os-release', 'os-release', [], {
          os: { family: 'debian', version: '12', name: 'Debian GNU/Linux 12 (bookworm)' },
        }),
      ]),
      layer(L2, [
        f('app/node_modules/semver/package.json', 'npm', [{ ecosystem: 'npm', name: 'semver', version: '7.6.0' }]),
      ]),
    ]),
    ctx,
  );
  assert.deepEqual(
    inv.packages.map((p) => [p.purl, p.paths[0], p.layer]),
    [
      ['pkg:deb/debian/node-semver@7.3.5%2B~7.3.9-2?distro=debian-12', 'var/lib/dpkg/status', L1],
      ['pkg:npm/semver@7.6.0', 'app/node_modules/semver/package.json', L2],
    ],
  );
  assert.equal(inv.os?.family, 'debian');
  assert.equal(inv.createdAt, '2026-01-02T03:04:05.000Z');
  assert.deepEqual(
    inv.target.layers.map((l) => l.createdBy),
    ['ADD rootfs /', 'RUN npm ci'],
  );
  assert.equal(inv.target.platform, 'linux/amd64');
});

test('a lockfile entry also installed under the same app is reported once', () => {
  const inv = buildInventory(
    image(),
    analysis([
      layer(L1, [
        f('app/package-lock.json', 'npm-lockfile', [
          { ecosystem: 'npm', name: 'a', version: '1.0.0', meta: { source: 'lockfile' } },
          { ecosystem: 'npm', name: 'b', version: '2.0.0', meta: { source: 'lockfile' } },
        ]),
        f('app/node_modules/a/package.json', 'npm', [{ ecosystem: 'npm', name: 'a', version: '1.0.0' }]),
        f('other/node_modules/b/package.json', 'npm', [{ ecosystem: 'npm', name: 'b', version: '2.0.0' }]),
      ]),
    ]),
    ctx,
  );
  assert.deepEqual(
    inv.packages.map((p) => `${p.name}@${p.version} ${p.paths[0]}`),
    [
      'a@1.0.0 app/node_modules/a/package.json',
      'b@2.0.0 app/package-lock.json',
      'b@2.0.0 other/node_modules/b/package.json',
    ],
  );
});

test('distroless: status.d without a status file marks the OS distroless', () => {
  const inv = buildInventory(
    image(),
    analysis([
      layer(L1, [
        f('var/lib/dpkg/status.d/base', 'dpkg-status', [
          { ecosystem: 'deb', name: 'base-files', version: '12.4+deb12u5' },
        ]),
        f('etc/os-release', 'os-release', [], {
          os: { family: 'debian', version: '12', name: 'Debian GNU/Linux 12 (bookworm)' },
        }),
      ]),
    ]),
    ctx,
  );
  assert.equal(inv.os?.distroless, true);
});

test('same input, same output', () => {
  const a = analysis([
    layer(L1, [f('x/node_modules/q/package.json', 'npm', [{ ecosystem: 'npm', name: 'q', version: '1' }])]),
  ]);
  assert.deepEqual(buildInventory(image(), a, ctx), buildInventory(image(), a, ctx));
});
