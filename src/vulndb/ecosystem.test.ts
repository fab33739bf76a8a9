import assert from 'node:assert/strict';
import { test } from 'node:test';
import { distroEcosystem, normalizeEcosystem, osDistroKey, packageKey, purlTypeEcosystem } from './ecosystem.js';

test('OSV ecosystem strings map to one key per distro release (docs/vulndb.md table)', () => {
  const cases: [string, string][] = [
    ['Debian:12', 'Debian:12'],
    ['Debian:bookworm', 'Debian:12'],
    ['Debian:11.7', 'Debian:11'],
    ['Debian:3.1', 'Debian:3.1'],
    ['Ubuntu:22.04:LTS', 'Ubuntu:22.04'],
    ['Ubuntu:23.10', 'Ubuntu:23.10'],
    ['Ubuntu:Pro:18.04:LTS', 'Ubuntu:Pro:18.04'],
    ['Alpine:v3.19', 'Alpine:v3.19'],
    ['Alpine:3.19', 'Alpine:v3.19'],
    ['Red Hat:enterprise_linux:9::appstream', 'Red Hat:9'],
    ['Red Hat:enterprise_linux:8::baseos', 'Red Hat:8'],
    ['Red Hat:rhel_aus:8.2::appstream', 'Red Hat:rhel_aus:8.2'],
    ['Rocky Linux:9', 'Rocky Linux:9'],
    ['AlmaLinux:8', 'AlmaLinux:8'],
    ['SUSE:Linux Enterprise Server 15 SP5', 'SUSE:Linux Enterprise Server 15 SP5'],
    ['openSUSE:Tumbleweed', 'openSUSE:Tumbleweed'],
    ['Wolfi', 'Wolfi'],
    ['Chainguard', 'Chainguard'],
    ['npm', 'npm'],
    ['PyPI', 'PyPI'],
    ['Go', 'Go'],
    ['Maven', 'Maven'],
    ['Maven:https://repo1.maven.org/maven2/', 'Maven'],
    ['crates.io', 'crates.io'],
    ['RubyGems', 'RubyGems'],
    ['Packagist', 'Packagist'],
    ['NuGet', 'NuGet'],
    ['Hackage', 'Hackage'],
  ];
  for (const [osv, key] of cases) assert.equal(normalizeEcosystem(osv), key, osv);
  assert.equal(normalizeEcosystem(''), undefined);
  assert.equal(normalizeEcosystem('Debian:\u000012'), undefined);
  assert.equal(normalizeEcosystem('x'.repeat(500)), undefined);
});

test('os-release ID / VERSION_ID map to the same keys the feeds use', () => {
  assert.equal(distroEcosystem('debian', '12'), 'Debian:12');
  assert.equal(distroEcosystem('debian', undefined), 'Debian:sid');
  assert.equal(distroEcosystem('alpine', '3.19.1'), 'Alpine:v3.19');
  assert.equal(distroEcosystem('ubuntu', '22.04'), 'Ubuntu:22.04');
  assert.equal(distroEcosystem('rhel', '9.3'), 'Red Hat:9');
  assert.equal(distroEcosystem('rocky', '9.3'), 'Rocky Linux:9');
  assert.equal(distroEcosystem('almalinux', '8.9'), 'AlmaLinux:8');
  assert.equal(distroEcosystem('sles', '15.5'), 'SUSE:Linux Enterprise Server 15 SP5');
  assert.equal(distroEcosystem('opensuse-leap', '15.5'), 'openSUSE:Leap 15.5');
  assert.equal(distroEcosystem('wolfi', '20230201'), 'Wolfi');
  assert.equal(distroEcosystem('plan9', '4'), undefined);
});

test('package keys fold names only where the ecosystem does (PEP 503, NuGet, Composer)', () => {
  assert.equal(packageKey('PyPI', 'Zope.Interface_x'), 'zope-interface-x');
  assert.equal(packageKey('NuGet', 'Newtonsoft.Json'), 'newtonsoft.json');
  assert.equal(packageKey('Maven', 'org.Apache:Foo'), 'org.Apache:Foo');
  assert.equal(packageKey('Debian:12', 'libX11'), 'libX11');
});

test('purl types name their OSV ecosystem; OS formats and inherited property names name none', () => {
  assert.equal(purlTypeEcosystem('cargo'), 'crates.io');
  assert.equal(purlTypeEcosystem('golang'), 'Go');
  assert.equal(purlTypeEcosystem('composer'), 'Packagist');
  for (const type of [
    'deb',
    'rpm',
    'apk',
    'crates.io',
    'PyPI',
    '',
    'constructor',
    'toString',
    '__proto__',
    'hasOwnProperty',
  ]) {
    assert.equal(purlTypeEcosystem(type), undefined, type);
  }
});

test('an OS release is keyed as the feeds name it: Debian testing/unstable by code name, as the tracker does', () => {
  const os = (version: string, codename?: string) => ({ family: 'debian', version, ...(codename ? { codename } : {}) });
  // The tracker's release names fold to these keys (normalizeEcosystem): an image's key must be the same string.
  assert.equal(osDistroKey(os('trixie/sid', 'trixie')), normalizeEcosystem('Debian:trixie'));
  assert.equal(osDistroKey(os('', 'trixie')), 'Debian:13');
  assert.equal(osDistroKey(os('bookworm/sid')), 'Debian:12');
  assert.equal(osDistroKey(os('sid', 'sid')), normalizeEcosystem('Debian:sid'));
  assert.equal(osDistroKey(os('12.5', 'bookworm')), 'Debian:12');
  assert.equal(osDistroKey(os('nonsense/sid')), undefined);
  assert.equal(osDistroKey(os('', 'constructor')), undefined);
  assert.equal(osDistroKey({ family: 'alpine', version: '3.19.1' }), 'Alpine:v3.19');
  assert.equal(osDistroKey(undefined), undefined);
});
