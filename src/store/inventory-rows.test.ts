import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inventoryPackagesOf, packageNamespace } from './inventory-rows.js';
import { distroKey } from '../match/index.js';

test('OS packages are keyed by distro release, language packages by their DB ecosystem', () => {
  const debian = { family: 'debian', version: '12' };
  assert.equal(packageNamespace('deb', debian), 'Debian:12');
  assert.equal(packageNamespace('apk', { family: 'alpine', version: '3.19.1' }), 'Alpine:v3.19');
  assert.equal(packageNamespace('rpm', { family: 'madeup', version: '7' }), 'madeup:7');
  assert.equal(packageNamespace('deb', undefined), 'deb');
  assert.equal(packageNamespace('pypi', debian), 'PyPI');
  assert.equal(packageNamespace('golang', debian), 'Go');
  // A type read from a document that names an Object.prototype member is kept as written.
  assert.equal(packageNamespace('constructor', debian), 'constructor');
  assert.deepEqual(
    inventoryPackagesOf({
      os: debian,
      packages: [
        {
          ecosystem: 'deb',
          name: 'libssl3',
          version: '3.0.11-1',
          purl: 'p1',
          layer: 'l1',
          source: { name: 'openssl' },
        },
        { ecosystem: 'deb', name: 'bash', version: '5.2-1', purl: 'p2', layer: 'l1', source: { name: 'bash' } },
        { ecosystem: 'npm', name: 'left-pad', version: '1.3.0', purl: 'p3', layer: 'l2' },
      ],
    }),
    [
      {
        ecosystem: 'deb',
        namespace: 'Debian:12',
        name: 'libssl3',
        sourceName: 'openssl',
        version: '3.0.11-1',
        purl: 'p1',
        layer: 'l1',
      },
      { ecosystem: 'deb', namespace: 'Debian:12', name: 'bash', version: '5.2-1', purl: 'p2', layer: 'l1' },
      { ecosystem: 'npm', namespace: 'npm', name: 'left-pad', version: '1.3.0', purl: 'p3', layer: 'l2' },
    ],
  );
});

test('a full inventory Package keeps its facts (all but layer and files) for rescans; a bare row has none', () => {
  const pkg = {
    ecosystem: 'deb' as const,
    name: 'libssl3',
    version: '3.0.11-1+b1',
    arch: 'amd64',
    source: { name: 'openssl', version: '3.0.11-1' },
    id: 'p-libssl3',
    purl: 'pkg:deb/debian/libssl3@3.0.11-1%2Bb1?arch=amd64',
    paths: ['var/lib/dpkg/status'],
    files: ['usr/lib/x86_64-linux-gnu/libssl.so.3'],
    layer: 'sha256:l1',
  };
  const [row] = inventoryPackagesOf({ os: { family: 'debian', version: '12' }, packages: [pkg] });
  const { files: _files, layer: _layer, ...facts } = pkg;
  assert.deepEqual(row?.facts, facts, 'the source version, arch, id and paths a re-match needs');
  const [bare] = inventoryPackagesOf({
    packages: [{ ecosystem: 'npm', name: 'left-pad', version: '1.3.0', purl: 'p3', layer: 'l2' }],
  });
  assert.equal(bare?.facts, undefined);
});

test('OS rows are filed under the key the matcher looks advisories up in, Debian testing/unstable included', () => {
  const releases = [
    { family: 'debian', version: '12.5', name: 'Debian 12', codename: 'bookworm' },
    // Testing/unstable: no VERSION_ID; debian_version says "trixie/sid" or nothing completes it.
    { family: 'debian', version: 'trixie/sid', name: 'Debian GNU/Linux trixie/sid', codename: 'trixie' },
    { family: 'debian', version: '', name: 'Debian GNU/Linux trixie/sid', codename: 'trixie' },
    { family: 'debian', version: 'bookworm/sid', name: 'Debian GNU/Linux bookworm/sid' },
    { family: 'debian', version: 'sid', name: 'Debian sid', codename: 'sid' },
    { family: 'alpine', version: '3.19.1', name: 'Alpine' },
    { family: 'ubuntu', version: '24.04', name: 'Ubuntu', codename: 'noble' },
    { family: 'rhel', version: '9.3', name: 'RHEL' },
  ];
  for (const os of releases) {
    const key = distroKey(os);
    assert.ok(key !== undefined, os.version);
    assert.equal(packageNamespace('deb', os), key, `${os.family} ${os.version}`);
  }
  assert.equal(packageNamespace('deb', releases[1]), 'Debian:13');
  assert.equal(packageNamespace('deb', releases[2]), 'Debian:13');
  assert.equal(packageNamespace('deb', releases[3]), 'Debian:12');
  assert.equal(packageNamespace('deb', releases[4]), 'Debian:sid');
});
