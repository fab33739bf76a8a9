import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isCustomsError } from '../../core/index.js';
import { testdata } from '../../core/test-support/testdata.js';
import { dpkgStatus, isDistrolessDpkg, isStatusDEntry, parseDpkgStatus } from './dpkg-status.js';
import { analyzerTester } from '../test-support/analyzer-tester.js';

// testdata/dpkg/status: seven paragraphs copied verbatim from a Debian 12 (bookworm) system's
// /var/lib/dpkg/status; status.d/: the same packages' paragraphs without Status, as distroless
// writes them, with libc6's real md5sums.
const read = (...p: string[]): string => readFileSync(testdata(import.meta.url, 'dpkg', ...p), 'utf8');

test('bookworm status: names, versions with epoch, arch, source with binNMU version', () => {
  const pkgs = parseDpkgStatus(read('status'), 'var/lib/dpkg/status');
  assert.deepEqual(
    pkgs.map((p) => p.name),
    ['adduser', 'base-files', 'bash', 'bsdutils', 'libc6', 'libgcc-s1', 'tzdata'],
  );
  const by = new Map(pkgs.map((p) => [p.name, p]));
  // binNMU: binary 5.2.15-2+b8 built from source 5.2.15-2.
  assert.deepEqual(by.get('bash'), {
    ecosystem: 'deb',
    name: 'bash',
    version: '5.2.15-2+b8',
    arch: 'amd64',
    source: { name: 'bash', version: '5.2.15-2' },
  });
  // Epoch stays in the version, as dpkg-query prints it; the source version in parentheses has none here.
  assert.equal(by.get('bsdutils')?.version, '1:2.38.1-5+deb12u3');
  assert.deepEqual(by.get('bsdutils')?.source, {
    name: 'util-linux',
    version: '2.38.1-5+deb12u3',
  });
  // "Source: glibc" without a version: the binary's version.
  assert.deepEqual(by.get('libc6')?.source, {
    name: 'glibc',
    version: '2.36-9+deb12u14',
  });
  // No Source field: the package is its own source.
  assert.deepEqual(by.get('adduser')?.source, {
    name: 'adduser',
    version: '3.134',
  });
  assert.equal(by.get('tzdata')?.arch, 'all');
});

test('deb-status(5): only the "installed" state counts', () => {
  const para = (name: string, status: string) =>
    `Package: ${name}\nStatus: ${status}\nVersion: 1.0-1\nArchitecture: amd64\n`;
  const text = [
    para('ok', 'install ok installed'),
    para('held', 'hold ok installed'),
    para('removed-conf', 'deinstall ok config-files'),
    para('half', 'install reinstreq half-installed'),
    para('purged', 'purge ok not-installed'),
    para('unpacked', 'install ok unpacked'),
    para('halfconf', 'install ok half-configured'),
  ].join('\n');
  assert.deepEqual(
    parseDpkgStatus(text, 's').map((p) => p.name),
    ['ok', 'held'],
  );
});

test('CRLF, continuation lines, several blank lines and whitespace-only separators', () => {
  const text =
    'Package: a\r\nStatus: install ok installed\r\nVersion: 1\r\nDescription: short\r\n long line\r\n .\r\n more\r\n\r\n \t\r\n\r\nPackage: b\r\nStatus: install ok installed\r\nVersion: 2\r\nSource: bsrc (1.9)\r\n';
  const pkgs = parseDpkgStatus(text, 's');
  assert.deepEqual(
    pkgs.map((p) => [p.name, p.version, p.source?.name, p.source?.version]),
    [
      ['a', '1', 'a', '1'],
      ['b', '2', 'bsrc', '1.9'],
    ],
  );
  assert.equal(pkgs[0]?.arch, undefined);
});

test('corrupt status files are an ANALYZE_FILE_INVALID Unknown naming the file', async () => {
  const cases = [' continuation first\n', 'Package: x\nStatus: install ok installed\n', 'no colon here\n'];
  for (const text of cases) {
    assert.throws(
      () => parseDpkgStatus(text, 'var/lib/dpkg/status'),
      (e: unknown) =>
        isCustomsError(e) && e.code === 'ANALYZE_FILE_INVALID' && e.message.includes('var/lib/dpkg/status'),
    );
    await analyzerTester(dpkgStatus)
      .file('var/lib/dpkg/status', text)
      .expectsUnknown('ANALYZE_FILE_INVALID', 'var/lib/dpkg/status');
  }
});

test('distroless status.d: entries count without Status, md5sums are not packages', async () => {
  const info = (path: string) => ({ path, size: 1, mode: 0o644 });
  assert.equal(dpkgStatus.wants('var/lib/dpkg/status.d/libc6', info('')), true);
  assert.equal(dpkgStatus.wants('var/lib/dpkg/status.d/libc6.md5sums', info('')), false);
  assert.equal(dpkgStatus.wants('var/lib/dpkg/status', info('')), true);
  assert.equal(dpkgStatus.wants('var/lib/dpkg/status-old', info('')), false);
  assert.equal(dpkgStatus.wants('var/lib/dpkg/status.d/sub/x', info('')), false);
  await analyzerTester(dpkgStatus)
    .file('var/lib/dpkg/status.d/libc6', read('status.d', 'libc6'))
    .expectsPackages([
      {
        ecosystem: 'deb',
        name: 'libc6',
        version: '2.36-9+deb12u14',
        arch: 'amd64',
        source: { name: 'glibc', version: '2.36-9+deb12u14' },
      },
    ]);
});

test('isDistrolessDpkg: status.d entries and no status file', () => {
  assert.equal(isDistrolessDpkg(['var/lib/dpkg/status.d/libc6', 'var/lib/dpkg/status.d/libc6.md5sums']), true);
  assert.equal(isDistrolessDpkg(['var/lib/dpkg/status', 'var/lib/dpkg/status.d/libc6']), false);
  assert.equal(isDistrolessDpkg(['var/lib/dpkg/status.d/libc6.md5sums']), false);
  assert.equal(isDistrolessDpkg([]), false);
  assert.equal(isStatusDEntry('var/lib/dpkg/status.d/'), false);
});
