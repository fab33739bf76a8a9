import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { testdata } from '../../core/test-support/testdata.js';
import { dpkgFiles, parseDpkgList } from './dpkg-files.js';
import { analyzerTester } from '../test-support/analyzer-tester.js';

// bash.list and libc6:amd64.list: verbatim from a Debian 12 system's /var/lib/dpkg/info.
const read = (...p: string[]): Buffer => readFileSync(testdata(import.meta.url, 'dpkg', ...p));

test('a .list gives every path without the leading slash and without the "/." root', async () => {
  const r = await analyzerTester(dpkgFiles).file('var/lib/dpkg/info/bash.list', read('info', 'bash.list')).result();
  const owned = r.ownedFiles ?? [];
  const lines = read('info', 'bash.list')
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '' && l !== '/.');
  assert.equal(owned.length, lines.length);
  assert.ok(owned.includes('bin/bash'));
  assert.ok(owned.includes('usr/share/doc/bash'));
  assert.ok(!owned.includes('.') && !owned.includes(''));
  assert.ok(owned.every((p) => !p.startsWith('/')));
});

test('multi-arch list names (pkg:arch.list) are wanted', async () => {
  const info = (path: string) => ({ path, size: 1, mode: 0o644 });
  assert.equal(dpkgFiles.wants('var/lib/dpkg/info/libc6:amd64.list', info('')), true);
  assert.equal(dpkgFiles.wants('var/lib/dpkg/info/libc6:amd64.md5sums', info('')), false);
  assert.equal(dpkgFiles.wants('var/lib/dpkg/info/x/y.list', info('')), false);
  const r = await analyzerTester(dpkgFiles)
    .file('var/lib/dpkg/info/libc6:amd64.list', read('info', 'libc6:amd64.list'))
    .result();
  assert.ok(r.ownedFiles?.includes('lib/x86_64-linux-gnu/libc.so.6'));
});

test('distroless: status.d/<pkg>.md5sums lists the package files', async () => {
  assert.equal(
    dpkgFiles.wants('var/lib/dpkg/status.d/libc6.md5sums', {
      path: '',
      size: 1,
      mode: 0o644,
    }),
    true,
  );
  const r = await analyzerTester(dpkgFiles)
    .file('var/lib/dpkg/status.d/libc6.md5sums', read('status.d', 'libc6.md5sums'))
    .result();
  assert.equal(r.ownedFiles?.length, read('status.d', 'libc6.md5sums').toString('utf8').trim().split('\n').length);
  assert.ok(r.ownedFiles?.includes('lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'));
});

test('CRLF and trailing slashes are normalised', () => {
  assert.deepEqual(parseDpkgList('/.\r\n/usr/\r\n/usr/bin/x\r\n\r\n'), ['usr', 'usr/bin/x']);
});
