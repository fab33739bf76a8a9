import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { testdata } from '../../core/test-support/testdata.js';
import { analyzerTester } from '../test-support/analyzer-tester.js';
import { osInfoFromOsRelease, osRelease } from './os-release.js';

const read = (...p: string[]): string => readFileSync(testdata(import.meta.url, 'os', ...p), 'utf8');

test('os-release of every distribution', () => {
  const cases: [string, string, Record<string, string>][] = [
    [
      'debian-12',
      'usr/lib/os-release',
      {
        family: 'debian',
        version: '12',
        name: 'Debian GNU/Linux 12 (bookworm)',
        codename: 'bookworm',
      },
    ],
    [
      'debian-8',
      'etc/os-release',
      {
        family: 'debian',
        version: '8',
        name: 'Debian GNU/Linux 8 (jessie)',
        codename: 'jessie',
      },
    ],
    [
      'debian-sid',
      'usr/lib/os-release',
      {
        family: 'debian',
        version: '',
        name: 'Debian GNU/Linux trixie/sid',
        codename: 'trixie',
      },
    ],
    [
      'ubuntu-22.04',
      'usr/lib/os-release',
      {
        family: 'ubuntu',
        version: '22.04',
        name: 'Ubuntu 22.04.4 LTS',
        codename: 'jammy',
      },
    ],
    ['alpine-3.19', 'etc/os-release', { family: 'alpine', version: '3.19.1', name: 'Alpine Linux v3.19' }],
    [
      'rhel-9',
      'etc/os-release',
      {
        family: 'rhel',
        version: '9.3',
        name: 'Red Hat Enterprise Linux 9.3 (Plow)',
      },
    ],
    ['centos-7', 'etc/os-release', { family: 'centos', version: '7', name: 'CentOS Linux 7 (Core)' }],
    ['centos-stream-9', 'etc/os-release', { family: 'centos', version: '9', name: 'CentOS Stream 9' }],
    ['rocky-9', 'etc/os-release', { family: 'rocky', version: '9.3', name: 'Rocky Linux 9.3 (Blue Onyx)' }],
    [
      'almalinux-9',
      'etc/os-release',
      {
        family: 'almalinux',
        version: '9.3',
        name: 'AlmaLinux 9.3 (Shamrock Pampas Cat)',
      },
    ],
    [
      'fedora-40',
      'usr/lib/os-release',
      {
        family: 'fedora',
        version: '40',
        name: 'Fedora Linux 40 (Container Image)',
      },
    ],
    ['amzn-2', 'etc/os-release', { family: 'amzn', version: '2', name: 'Amazon Linux 2' }],
    ['amzn-2023', 'etc/os-release', { family: 'amzn', version: '2023', name: 'Amazon Linux 2023.4.20240416' }],
    [
      'sles-15',
      'etc/os-release',
      {
        family: 'sles',
        version: '15.5',
        name: 'SUSE Linux Enterprise Server 15 SP5',
      },
    ],
    ['opensuse-leap-15', 'etc/os-release', { family: 'opensuse-leap', version: '15.5', name: 'openSUSE Leap 15.5' }],
    ['opensuse-leap-42', 'etc/os-release', { family: 'opensuse-leap', version: '42.3', name: 'openSUSE Leap 42.3' }],
    [
      'opensuse-tumbleweed',
      'usr/lib/os-release',
      {
        family: 'opensuse-tumbleweed',
        version: '20240311',
        name: 'openSUSE Tumbleweed',
      },
    ],
    ['wolfi', 'etc/os-release', { family: 'wolfi', version: '20230201', name: 'Wolfi' }],
    ['chainguard', 'etc/os-release', { family: 'chainguard', version: '20230214', name: 'Chainguard' }],
    [
      'distroless-12',
      'usr/lib/os-release',
      {
        family: 'debian',
        version: '12',
        name: 'Distroless',
        codename: 'bookworm',
      },
    ],
  ];
  for (const [dir, path, want] of cases) {
    assert.deepEqual(osInfoFromOsRelease(read(dir, path)), want, dir);
  }
});

test('the analyzer wants both os-release locations and nothing else', async () => {
  assert.equal(
    osRelease.wants('etc/os-release', {
      path: 'etc/os-release',
      size: 1,
      mode: 0o644,
    }),
    true,
  );
  assert.equal(
    osRelease.wants('usr/lib/os-release', {
      path: 'usr/lib/os-release',
      size: 1,
      mode: 0o644,
    }),
    true,
  );
  assert.equal(
    osRelease.wants('etc/os-release.bak', {
      path: 'etc/os-release.bak',
      size: 1,
      mode: 0o644,
    }),
    false,
  );
  assert.equal(
    osRelease.wants('opt/etc/os-release', {
      path: 'opt/etc/os-release',
      size: 1,
      mode: 0o644,
    }),
    false,
  );
  const r = await analyzerTester(osRelease)
    .fromDir(testdata(import.meta.url, 'os', 'alpine-3.19'), 'etc/os-release')
    .result();
  assert.equal(r.os?.family, 'alpine');
});

test('an empty or comment-only os-release yields no OS; a bare one gets os-release(5) defaults', async () => {
  await analyzerTester(osRelease).file('etc/os-release', '# nothing\n\n').expects({});
  assert.deepEqual(osInfoFromOsRelease('VERSION_ID=1\n'), {
    family: 'linux',
    version: '1',
    name: 'Linux',
  });
});
