import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Package } from '../core/index.js';
import { licenseReport } from './license-report.js';
import type { Inventory } from './types.js';

const pkg = (ecosystem: Package['ecosystem'], name: string, license?: string): Package => ({
  ecosystem,
  name,
  version: '1',
  id: name,
  purl: `pkg:${ecosystem}/${name}@1`,
  paths: [],
  layer: 'sha256:l',
  ...(license !== undefined ? { license } : {}),
});

const inv = (packages: Package[]): Inventory => ({
  schemaVersion: 1,
  tool: { name: 'customs', version: '0' },
  createdAt: '2024-01-01T00:00:00Z',
  target: {
    name: 'x',
    transport: 'docker-archive',
    configDigest: 'sha256:c',
    repoDigests: [],
    repoTags: [],
    layers: [],
  },
  packages,
  unknowns: [],
});

test('packages grouped by normalised licence and category; copyright facts fill OS packages; unknowns listed', () => {
  const r = licenseReport(
    inv([
      pkg('npm', 'a', 'mit'),
      pkg('npm', 'b', 'MIT'),
      pkg('pypi', 'c', 'GPLv2+'),
      pkg('npm', 'd', 'UNLICENSED'),
      pkg('npm', 'e'),
      pkg('deb', 'tar'),
      pkg('deb', 'zlib1g'),
    ]),
    {
      packageLicenses: [
        { ecosystem: 'deb', name: 'tar', licenses: ['GPL-3+', 'LGPL-3+'] },
        { ecosystem: 'deb', name: 'zlib1g', licenses: ['Zlib'] },
      ],
    },
  );
  assert.deepEqual(r.byLicense, [
    { license: '', category: 'unknown', packages: ['pkg:npm/e@1'] },
    { license: 'GPL-2.0-or-later', category: 'strong-copyleft', packages: ['pkg:pypi/c@1'] },
    { license: 'GPL-3.0-or-later AND LGPL-3.0-or-later', category: 'strong-copyleft', packages: ['pkg:deb/tar@1'] },
    { license: 'MIT', category: 'permissive', packages: ['pkg:npm/a@1', 'pkg:npm/b@1'] },
    { license: 'UNLICENSED', category: 'unknown', packages: ['pkg:npm/d@1'] },
    { license: 'Zlib', category: 'permissive', packages: ['pkg:deb/zlib1g@1'] },
  ]);
  assert.deepEqual(r.byCategory, { permissive: 3, 'weak-copyleft': 0, 'strong-copyleft': 2, unknown: 2 });
  assert.deepEqual(r.unknown, [
    { license: '', packages: ['pkg:npm/e@1'] },
    { license: 'UNLICENSED', packages: ['pkg:npm/d@1'] },
  ]);
});
