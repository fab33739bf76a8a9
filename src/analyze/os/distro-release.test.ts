import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { testdata } from '../../core/test-support/testdata.js';
import { distroRelease, parseDistroRelease } from './distro-release.js';
import { analyzerTester } from '../test-support/analyzer-tester.js';

const read = (...p: string[]): string => readFileSync(testdata(import.meta.url, 'os', ...p), 'utf8');

test('distro release files of every family', () => {
  const cases: [string, string, Record<string, string>][] = [
    ['alpine-3.19', 'etc/alpine-release', { family: 'alpine', version: '3.19.1', name: 'Alpine Linux v3.19' }],
    [
      'debian-12',
      'etc/debian_version',
      {
        family: 'debian',
        version: '12.5',
        name: 'Debian GNU/Linux 12.5',
        codename: 'bookworm',
      },
    ],
    [
      'debian-sid',
      'etc/debian_version',
      {
        family: 'debian',
        version: 'trixie/sid',
        name: 'Debian GNU/Linux trixie/sid',
        codename: 'trixie',
      },
    ],
    [
      'ubuntu-22.04',
      'etc/lsb-release',
      {
        family: 'ubuntu',
        version: '22.04',
        name: 'Ubuntu 22.04.4 LTS',
        codename: 'jammy',
      },
    ],
    [
      'rhel-9',
      'etc/redhat-release',
      {
        family: 'rhel',
        version: '9.3',
        name: 'Red Hat Enterprise Linux release 9.3 (Plow)',
        codename: 'Plow',
      },
    ],
    [
      'centos-7',
      'etc/centos-release',
      {
        family: 'centos',
        version: '7.9.2009',
        name: 'CentOS Linux release 7.9.2009 (Core)',
        codename: 'Core',
      },
    ],
    ['centos-stream-9', 'etc/centos-release', { family: 'centos', version: '9', name: 'CentOS Stream release 9' }],
    [
      'rocky-9',
      'etc/rocky-release',
      {
        family: 'rocky',
        version: '9.3',
        name: 'Rocky Linux release 9.3 (Blue Onyx)',
        codename: 'Blue Onyx',
      },
    ],
    [
      'almalinux-9',
      'etc/almalinux-release',
      {
        family: 'almalinux',
        version: '9.3',
        name: 'AlmaLinux release 9.3 (Shamrock Pampas Cat)',
        codename: 'Shamrock Pampas Cat',
      },
    ],
    [
      'fedora-40',
      'etc/fedora-release',
      {
        family: 'fedora',
        version: '40',
        name: 'Fedora release 40 (Forty)',
        codename: 'Forty',
      },
    ],
    [
      'amzn-2',
      'etc/system-release',
      {
        family: 'amzn',
        version: '2',
        name: 'Amazon Linux release 2 (Karoo)',
        codename: 'Karoo',
      },
    ],
    [
      'amzn-2023',
      'etc/system-release',
      {
        family: 'amzn',
        version: '2023.4.20240416',
        name: 'Amazon Linux release 2023.4.20240416 (Amazon Linux)',
      },
    ],
    [
      'sles-12',
      'etc/SuSE-release',
      {
        family: 'sles',
        version: '12.5',
        name: 'SUSE Linux Enterprise Server 12',
      },
    ],
  ];
  for (const [dir, path, want] of cases)
    assert.deepEqual(parseDistroRelease(path, read(dir, path)), want, `${dir}/${path}`);
});

test('redhat-release names the distribution by content (CentOS ships it as a symlink to centos-release)', () => {
  assert.equal(parseDistroRelease('etc/redhat-release', 'CentOS Linux release 7.9.2009 (Core)\n')?.family, 'centos');
  assert.equal(parseDistroRelease('etc/system-release', 'Amazon Linux AMI release 2018.03\n')?.version, '2018.03');
});

test('unrecognised contents give no OS, not an error', async () => {
  assert.equal(parseDistroRelease('etc/redhat-release', 'something else\n'), undefined);
  assert.equal(parseDistroRelease('etc/alpine-release', '\n'), undefined);
  assert.equal(parseDistroRelease('etc/lsb-release', 'FOO=bar\n'), undefined);
  assert.equal(parseDistroRelease('etc/SuSE-release', 'Unknown thing\nVERSION = 1\n'), undefined);
  await analyzerTester(distroRelease).file('etc/debian_version', '').expects({});
});

test('wants exactly the listed release files', () => {
  const info = (path: string) => ({ path, size: 1, mode: 0o644 });
  for (const p of [
    'etc/alpine-release',
    'etc/debian_version',
    'etc/system-release',
    'etc/SuSE-release',
    'etc/lsb-release',
  ]) {
    assert.equal(distroRelease.wants(p, info(p)), true, p);
  }
  for (const p of ['etc/os-release', 'etc/suse-release', 'usr/etc/alpine-release'])
    assert.equal(distroRelease.wants(p, info(p)), false, p);
});
