import assert from 'node:assert/strict';
import { test } from 'node:test';
import { purlOf } from './purl.js';

const debian = { family: 'debian', version: '12', name: 'Debian GNU/Linux 12 (bookworm)' };

test('OS packages carry distro, arch, epoch and upstream qualifiers; + is percent-encoded', () => {
  assert.equal(
    purlOf(
      {
        ecosystem: 'deb',
        name: 'libc6',
        version: '2.36-9+deb12u7',
        arch: 'amd64',
        source: { name: 'glibc', version: '2.36-9+deb12u7' },
      },
      debian,
    ),
    'pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12&upstream=glibc',
  );
  assert.equal(
    purlOf(
      { ecosystem: 'rpm', name: 'openssl', version: '3.0.7-24.el9', epoch: 1, arch: 'x86_64' },
      { family: 'rocky', version: '9.3', name: 'Rocky' },
    ),
    'pkg:rpm/rocky/openssl@3.0.7-24.el9?arch=x86_64&distro=rocky-9.3&epoch=1',
  );
});

test('language purls follow their type rules', () => {
  assert.equal(purlOf({ ecosystem: 'npm', name: '@babel/core', version: '7.0.0' }), 'pkg:npm/%40babel/core@7.0.0');
  assert.equal(
    purlOf({ ecosystem: 'pypi', name: 'Django_REST.framework', version: '3.0' }),
    'pkg:pypi/django-rest-framework@3.0',
  );
  assert.equal(
    purlOf({ ecosystem: 'maven', name: 'org.apache:commons-lang3', version: '3.12.0' }),
    'pkg:maven/org.apache/commons-lang3@3.12.0',
  );
  assert.equal(
    purlOf({ ecosystem: 'golang', name: 'github.com/google/uuid', version: 'v1.3.0' }),
    'pkg:golang/github.com/google/uuid@v1.3.0',
  );
});

test('a Maven artifact without a known group gets a generic purl, not an exception', () => {
  assert.equal(purlOf({ ecosystem: 'maven', name: 'foo', version: '1.0' }), 'pkg:generic/foo@1.0?ecosystem=maven');
});
