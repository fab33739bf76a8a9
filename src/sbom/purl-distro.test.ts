import assert from 'node:assert/strict';
import { test } from 'node:test';
import { osFromPurl, sbomDistro } from './purl-distro.js';

test('the purl distro qualifier in the spellings generators write', () => {
  const cases: [string, string | undefined][] = [
    ['pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64&distro=debian-12', 'debian 12'],
    ['pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64&distro=debian-12.4', 'debian 12.4'],
    ['pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie', 'debian 8 jessie'],
    ['pkg:deb/ubuntu/curl@7.81.0-1ubuntu1.13?distro=ubuntu-22.04', 'ubuntu 22.04'],
    ['pkg:deb/ubuntu/curl@7.81.0-1ubuntu1.13?distro=noble', 'ubuntu 24.04 noble'],
    ['pkg:rpm/redhat/openssl@3.0.7-24.el9?arch=x86_64&distro=rhel-8.9', 'rhel 8.9'],
    ['pkg:rpm/redhat/openssl@3.0.7-24.el9?arch=x86_64&distro=redhat-9.3', 'rhel 9.3'],
    ['pkg:rpm/rocky/openssl@3.0.7-24.el9?distro=rocky-9.3', 'rocky 9.3'],
    ['pkg:rpm/opensuse/openssl@3.1.4-1?distro=opensuse-leap-15.5', 'opensuse-leap 15.5'],
    ['pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=3.19.1', 'alpine 3.19.1'],
    ['pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=alpine-3.19.1', 'alpine 3.19.1'],
    ['pkg:apk/wolfi/busybox@1.36.1-r15?distro=wolfi', 'wolfi '],
    // Nothing to go on: no qualifier, an unknown distro, a language purl, a code name of another family.
    ['pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64', undefined],
    ['pkg:rpm/fedora/curl@7.50.3-1.fc25?distro=fedora-25', undefined],
    ['pkg:npm/lodash@4.17.21?distro=debian-12', undefined],
    ['pkg:deb/debian/x@1?distro=jammy', undefined],
    ['not a purl', undefined],
  ];
  for (const [purl, want] of cases) {
    const os = osFromPurl(purl);
    const got = os === undefined ? undefined : `${os.family} ${os.version}${os.codename ? ` ${os.codename}` : ''}`;
    assert.equal(got, want, purl);
  }
});

test('qualifiers agree when they select the same advisories; the most precise version is kept', () => {
  const d = sbomDistro([
    'pkg:deb/debian/a@1?distro=bookworm',
    'pkg:deb/debian/b@1?distro=debian-12.4',
    'pkg:deb/debian/c@1?distro=debian-12',
    'pkg:deb/debian/d@1',
  ]);
  assert.deepEqual(d, {
    kind: 'one',
    os: { family: 'debian', version: '12.4', name: 'debian 12.4', codename: 'bookworm' },
  });
  assert.deepEqual(sbomDistro(['pkg:apk/alpine/a@1?distro=3.18.4', 'pkg:apk/alpine/b@1?distro=3.19.1']), {
    kind: 'conflict',
    releases: ['alpine-3.18.4', 'alpine-3.19.1'],
  });
  assert.deepEqual(sbomDistro(['pkg:deb/debian/a@1']), { kind: 'none' });
});
