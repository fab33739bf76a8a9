import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isCustomsError } from '../../core/index.js';
import { testdata } from '../../core/test-support/testdata.js';
import { apkInstalled, parseApkInstalled } from './apk-installed.js';
import { analyzerTester } from '../test-support/analyzer-tester.js';

// alpine-installed / wolfi-installed: records in apk-tools' installed-database format as
// alpine:3.19 and cgr.dev/chainguard/wolfi-base write them (excerpts: three packages each,
// file lists shortened).
const read = (name: string): string => readFileSync(testdata(import.meta.url, 'apk', name), 'utf8');

test('Alpine: name, version, arch, license, origin as source, files', () => {
  const { packages, ownedFiles } = parseApkInstalled(read('alpine-installed'), 'lib/apk/db/installed');
  assert.deepEqual(packages[0], {
    ecosystem: 'apk',
    name: 'musl',
    version: '1.2.4_git20230717-r4',
    arch: 'x86_64',
    license: 'MIT',
    source: { name: 'musl', version: '1.2.4_git20230717-r4' },
    files: ['lib', 'lib/ld-musl-x86_64.so.1', 'lib/libc.musl-x86_64.so.1'],
  });
  assert.deepEqual(packages[1]?.source, {
    name: 'busybox',
    version: '1.36.1-r15',
  });
  assert.deepEqual(packages[1]?.files, ['usr', 'usr/bin', 'usr/bin/ssl_client']);
  assert.deepEqual(
    packages.map((p) => p.name),
    ['musl', 'ssl_client', 'alpine-baselayout-data'],
  );
  assert.ok(ownedFiles.includes('etc/passwd'));
  assert.equal(
    ownedFiles.length,
    packages.reduce((n, p) => n + (p.files?.length ?? 0), 0),
  );
});

test('Wolfi: origin differs from name, no trailing blank line, files in nested folders', () => {
  const { packages, ownedFiles } = parseApkInstalled(read('wolfi-installed'), 'lib/apk/db/installed');
  assert.deepEqual(
    packages.map((p) => [p.name, p.version, p.source?.name, p.license]),
    [
      ['wolfi-baselayout', '20230201-r7', 'wolfi-baselayout', 'MIT'],
      ['glibc', '2.38-r5', 'glibc', 'LGPL-2.1-or-later'],
      ['libcrypto3', '3.2.0-r2', 'openssl', 'Apache-2.0'],
    ],
  );
  assert.ok(ownedFiles.includes('usr/lib/python3.12/site-packages/glibc_probe-1.0.dist-info/METADATA'));
  assert.ok(ownedFiles.includes('var/lib/db/sbom/wolfi-baselayout-20230201-r7.spdx.json'));
});

test('wants both apk-tools v2 and v3 locations', async () => {
  const info = { path: '', size: 1, mode: 0o644 };
  assert.equal(apkInstalled.wants('lib/apk/db/installed', info), true);
  assert.equal(apkInstalled.wants('usr/lib/apk/db/installed', info), true);
  assert.equal(apkInstalled.wants('lib/apk/db/installed.bak', info), false);
  const r = await analyzerTester(apkInstalled).file('usr/lib/apk/db/installed', read('wolfi-installed')).result();
  assert.equal(r.packages?.length, 3);
});

test('CRLF and a missing blank line between records are tolerated; an empty DB has no packages', () => {
  const { packages } = parseApkInstalled('P:a\r\nV:1-r0\r\nP:b\r\nV:2-r0\r\n', 'x');
  assert.deepEqual(
    packages.map((p) => `${p.name}@${p.version}`),
    ['a@1-r0', 'b@2-r0'],
  );
  assert.deepEqual(parseApkInstalled('', 'x').packages, []);
});

test('file paths never start with "/", even for R: lines before any F: line (found by the fuzzer)', () => {
  const { packages, ownedFiles } = parseApkInstalled('P:a\nV:1\nR:/etc/x\nR://y\nF:/usr/\nR:z\n', 'x');
  assert.deepEqual(packages[0]?.files, ['etc/x', 'y', 'usr', 'usr/z']);
  assert.deepEqual(ownedFiles, ['etc/x', 'y', 'usr', 'usr/z']);
});

test('corrupt records throw a CustomsError naming the file', () => {
  for (const text of ['P:a\n\n', 'V:1\n\n', 'garbage line\n']) {
    assert.throws(
      () => parseApkInstalled(text, 'lib/apk/db/installed'),
      (e: unknown) =>
        isCustomsError(e) && e.code === 'ANALYZE_FILE_INVALID' && e.message.startsWith('lib/apk/db/installed'),
    );
  }
});
