import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { testdata } from '../../core/test-support/testdata.js';
import { parseDistroRelease } from './distro-release.js';
import { osInfoFromOsRelease } from './os-release.js';
import { type OsFact, pickOs } from './pick-os.js';

/** The facts the analyzers produce for every release file of a fixture distribution. */
function factsOf(dir: string, paths: string[]): OsFact[] {
  const out: OsFact[] = [];
  for (const path of paths) {
    const text = readFileSync(testdata(import.meta.url, 'os', dir, path), 'utf8');
    const os =
      path === 'etc/os-release' || path === 'usr/lib/os-release'
        ? osInfoFromOsRelease(text)
        : parseDistroRelease(path, text);
    if (os) out.push({ path, os });
  }
  return out;
}

test('Debian: os-release wins, debian_version refines to the point release', () => {
  const os = pickOs(factsOf('debian-12', ['etc/debian_version', 'usr/lib/os-release']));
  assert.deepEqual(os, {
    family: 'debian',
    version: '12.5',
    name: 'Debian GNU/Linux 12 (bookworm)',
    codename: 'bookworm',
  });
});

test('Debian testing/sid: no VERSION_ID, the version comes from debian_version', () => {
  const os = pickOs(factsOf('debian-sid', ['usr/lib/os-release', 'etc/debian_version']));
  assert.equal(os?.version, 'trixie/sid');
  assert.equal(os?.codename, 'trixie');
});

test('Ubuntu: its debian_version ("bookworm/sid") never mixes in', () => {
  const os = pickOs(factsOf('ubuntu-22.04', ['etc/debian_version', 'etc/lsb-release', 'usr/lib/os-release']));
  assert.deepEqual(os, {
    family: 'ubuntu',
    version: '22.04',
    name: 'Ubuntu 22.04.4 LTS',
    codename: 'jammy',
  });
  // Without os-release, lsb-release beats debian_version.
  assert.equal(pickOs(factsOf('ubuntu-22.04', ['etc/debian_version', 'etc/lsb-release']))?.family, 'ubuntu');
});

test('CentOS 7 and Amazon Linux 2023: the release file gives the full release', () => {
  assert.equal(pickOs(factsOf('centos-7', ['etc/os-release', 'etc/centos-release']))?.version, '7.9.2009');
  const amzn = pickOs(factsOf('amzn-2023', ['etc/system-release', 'etc/os-release']));
  assert.equal(amzn?.version, '2023.4.20240416');
  assert.equal(amzn?.codename, undefined);
  assert.equal(pickOs(factsOf('amzn-2', ['etc/system-release', 'etc/os-release']))?.version, '2');
});

test('Alpine keeps the full 3.19.1', () => {
  assert.equal(pickOs(factsOf('alpine-3.19', ['etc/alpine-release', 'etc/os-release']))?.version, '3.19.1');
  assert.equal(pickOs(factsOf('alpine-3.19', ['etc/alpine-release']))?.version, '3.19.1');
});

test('etc/os-release beats usr/lib/os-release', () => {
  const facts: OsFact[] = [
    {
      path: 'usr/lib/os-release',
      os: { family: 'debian', version: '12', name: 'Debian' },
    },
    {
      path: 'etc/os-release',
      os: { family: 'ubuntu', version: '24.04', name: 'Ubuntu' },
    },
  ];
  assert.equal(pickOs(facts)?.family, 'ubuntu');
});

test('no os-release: the most specific release file wins', () => {
  const facts: OsFact[] = [
    {
      path: 'etc/system-release',
      os: { family: 'centos', version: '7.9.2009', name: 'CentOS' },
    },
    {
      path: 'etc/redhat-release',
      os: { family: 'centos', version: '7.9.2009', name: 'CentOS' },
    },
    {
      path: 'etc/centos-release',
      os: {
        family: 'centos',
        version: '7.9.2009',
        name: 'CentOS Linux release 7.9.2009 (Core)',
      },
    },
  ];
  assert.equal(pickOs(facts)?.name, 'CentOS Linux release 7.9.2009 (Core)');
  assert.equal(pickOs(factsOf('sles-12', ['etc/SuSE-release']))?.version, '12.5');
});

test('distroless flag marks the OS; nothing known gives undefined', () => {
  const os = pickOs(factsOf('distroless-12', ['usr/lib/os-release', 'etc/debian_version']), { distroless: true });
  assert.deepEqual(os, {
    family: 'debian',
    version: '12.5',
    name: 'Distroless',
    codename: 'bookworm',
    distroless: true,
  });
  assert.equal(pickOs([]), undefined);
});

test('every fixture distribution resolves to its family', () => {
  const want: Record<string, string> = {
    'rhel-9': 'rhel',
    'centos-stream-9': 'centos',
    'rocky-9': 'rocky',
    'almalinux-9': 'almalinux',
    'fedora-40': 'fedora',
    'sles-15': 'sles',
    'opensuse-leap-15': 'opensuse-leap',
    'opensuse-tumbleweed': 'opensuse-tumbleweed',
    wolfi: 'wolfi',
    chainguard: 'chainguard',
  };
  for (const [dir, family] of Object.entries(want)) {
    const files = [
      'etc/os-release',
      'usr/lib/os-release',
      'etc/redhat-release',
      'etc/rocky-release',
      'etc/almalinux-release',
      'etc/fedora-release',
      'etc/centos-release',
    ];
    const present = files.filter((f) => {
      try {
        readFileSync(testdata(import.meta.url, 'os', dir, f));
        return true;
      } catch {
        return false;
      }
    });
    assert.equal(pickOs(factsOf(dir, present))?.family, family, dir);
  }
});
