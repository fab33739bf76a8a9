import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { isCustomsError } from '../../core/index.js';
import { DecodeBudget, PATH_CHARS_PER_HEADER_BYTE } from './rpm-budget.js';
import { parseRpmHeader, parseSourceRpm, RPMTAG, rpmFiles, rpmPackageOf } from './rpm-header.js';
import { type HeaderEntry, headerBlob } from './test-support/rpm-builders.js';

const blob = headerBlob;

const base: HeaderEntry[] = [
  { tag: RPMTAG.NAME, type: 6, value: 'openssl-libs' },
  { tag: RPMTAG.VERSION, type: 6, value: '3.0.7' },
  { tag: RPMTAG.RELEASE, type: 6, value: '25.el9_3' },
  { tag: RPMTAG.EPOCH, type: 4, value: [1] },
  { tag: RPMTAG.ARCH, type: 6, value: 'x86_64' },
  { tag: RPMTAG.LICENSE, type: 6, value: 'Apache-2.0' },
  { tag: RPMTAG.SOURCERPM, type: 6, value: 'openssl-3.0.7-25.el9_3.src.rpm' },
  { tag: RPMTAG.DIRNAMES, type: 8, value: ['/etc/pki/tls/', '/usr/lib64/'] },
  {
    tag: RPMTAG.BASENAMES,
    type: 8,
    value: ['openssl.cnf', 'libssl.so.3', 'libcrypto.so.3'],
  },
  { tag: RPMTAG.DIRINDEXES, type: 4, value: [0, 1, 1] },
];

test('header fields → package: version-release, epoch apart, source from SOURCERPM, files', () => {
  const p = rpmPackageOf(parseRpmHeader(blob(base), 's'), 's');
  assert.deepEqual(p, {
    ecosystem: 'rpm',
    name: 'openssl-libs',
    version: '3.0.7-25.el9_3',
    epoch: 1,
    arch: 'x86_64',
    source: { name: 'openssl', version: '3.0.7-25.el9_3' },
    license: 'Apache-2.0',
    files: ['etc/pki/tls/openssl.cnf', 'usr/lib64/libssl.so.3', 'usr/lib64/libcrypto.so.3'],
  });
});

test('gpg-pubkey is skipped; pre-4.x OLDFILENAMES are read', () => {
  const key = blob([
    { tag: RPMTAG.NAME, type: 6, value: 'gpg-pubkey' },
    { tag: RPMTAG.VERSION, type: 6, value: 'fd431d51' },
    { tag: RPMTAG.RELEASE, type: 6, value: '4ae0493b' },
  ]);
  assert.equal(rpmPackageOf(parseRpmHeader(key, 's'), 's'), undefined);
  const old = blob([
    { tag: RPMTAG.NAME, type: 6, value: 'x' },
    { tag: RPMTAG.VERSION, type: 6, value: '1' },
    { tag: RPMTAG.RELEASE, type: 6, value: '1' },
    { tag: RPMTAG.OLDFILENAMES, type: 8, value: ['/bin/x', '/etc/x.conf'] },
  ]);
  assert.deepEqual(rpmPackageOf(parseRpmHeader(old, 's'), 's')?.files, ['bin/x', 'etc/x.conf']);
});

test('source RPM names with dashes', () => {
  assert.deepEqual(parseSourceRpm('util-linux-2.32.1-42.el8_8.src.rpm'), {
    name: 'util-linux',
    version: '2.32.1-42.el8_8',
  });
  assert.deepEqual(parseSourceRpm('gcc11-11.2.1+git610-1.3.9.nosrc.rpm'), {
    name: 'gcc11',
    version: '11.2.1+git610-1.3.9',
  });
  assert.equal(parseSourceRpm('(none)'), undefined);
  assert.equal(parseSourceRpm('noversion.src.rpm'), undefined);
});

test('hostile headers: every count and offset is bounded', () => {
  const good = blob(base);
  const bad: [string, Buffer][] = [];
  bad.push(['short', good.subarray(0, 6)]);
  const hugeIl = Buffer.from(good);
  hugeIl.writeUInt32BE(0x7fffffff, 0);
  bad.push(['huge il', hugeIl]);
  const zeroIl = Buffer.from(good);
  zeroIl.writeUInt32BE(0, 0);
  bad.push(['zero il', zeroIl]);
  const bigDl = Buffer.from(good);
  bigDl.writeUInt32BE(good.length, 4);
  bad.push(['dl past end', bigDl]);
  const farOffset = Buffer.from(good);
  farOffset.writeUInt32BE(0xffffff, 8 + 8);
  bad.push(['offset past data', farOffset]);
  const hugeCount = Buffer.from(good);
  hugeCount.writeUInt32BE(0x40000000, 8 + 3 * 16 + 12); // EPOCH INT32 count
  bad.push(['int32 count past data', hugeCount]);
  const noNul = Buffer.from(good);
  noNul.fill(0x41, noNul.length - 40); // last strings lose their terminators
  bad.push(['unterminated string', noNul]);
  const badIndex = blob(base.map((e) => (e.tag === RPMTAG.DIRINDEXES ? { ...e, value: [0, 1, 9] } : e)));
  bad.push(['dir index out of range', badIndex]);
  for (const [label, b] of bad) {
    assert.throws(
      () => rpmPackageOf(parseRpmHeader(b, 'db'), 'db'),
      (e: unknown) => isCustomsError(e) && e.code === 'ANALYZE_FILE_INVALID' && e.message.startsWith('db:'),
      label,
    );
  }
});

test('a header without NAME is corrupt', () => {
  const b = blob([{ tag: RPMTAG.VERSION, type: 6, value: '1' }]);
  assert.throws(() => rpmPackageOf(parseRpmHeader(b, 'db'), 'db'), /lacks NAME/);
});

const overBudget = (pattern: RegExp) => (e: unknown) =>
  isCustomsError(e) &&
  e.code === 'ANALYZE_LIMIT_EXCEEDED' &&
  pattern.test(e.message) &&
  /likely crafted or corrupt/.test(e.message);

test('100,000 files under one 100 KB directory name: refused by the path budget in milliseconds, naming the package', () => {
  // 700 KB of header (1.2 KB gzipped) whose paths would come to 10 GB: V8 runs out of heap building them.
  const files = Array.from({ length: 100_000 }, (_, i) => String.fromCharCode(97 + (i % 26)));
  const bomb = blob([
    { tag: RPMTAG.NAME, type: 6, value: 'bomb' },
    { tag: RPMTAG.VERSION, type: 6, value: '1' },
    { tag: RPMTAG.RELEASE, type: 6, value: '1' },
    { tag: RPMTAG.DIRNAMES, type: 8, value: [`/${'d'.repeat(100_000)}/`] },
    { tag: RPMTAG.BASENAMES, type: 8, value: files },
    { tag: RPMTAG.DIRINDEXES, type: 4, value: files.map(() => 0) },
  ]);
  assert.ok(gzipSync(bomb).length < 4096, `the bomb gzips to ${gzipSync(bomb).length} bytes`);
  const started = performance.now();
  assert.throws(
    () => rpmPackageOf(parseRpmHeader(bomb, 'var/lib/rpm/Packages'), 'var/lib/rpm/Packages'),
    overBudget(
      new RegExp(
        `^var/lib/rpm/Packages: package bomb: its 100000 file paths come to 10000300000 characters, past the budget of ${PATH_CHARS_PER_HEADER_BYTE * bomb.length + 4096} \\(${PATH_CHARS_PER_HEADER_BYTE} × its ${bomb.length}-byte header \\+ 4096\\)`,
      ),
    ),
  );
  const ms = performance.now() - started;
  assert.ok(ms < 2000, `took ${ms} ms`);
});

test('paths within the header budget are built; the database budget is spent across headers and refuses the overflow', () => {
  const h = parseRpmHeader(blob(base), 's');
  const budget = new DecodeBudget('var/lib/rpm/rpmdb.sqlite', 'file-path characters', 100, 'a test budget');
  assert.deepEqual(rpmFiles(h, 's', budget), [
    'etc/pki/tls/openssl.cnf',
    'usr/lib64/libssl.so.3',
    'usr/lib64/libcrypto.so.3',
  ]);
  // The first header spent 71 of 100 characters; the same paths again do not fit.
  assert.throws(
    () => rpmFiles(h, 's', budget),
    overBudget(
      /^var\/lib\/rpm\/rpmdb\.sqlite: package openssl-libs's 3 file paths \(71 characters\) would bring .* to 142, past its budget of 100 \(a test budget\)/,
    ),
  );
});

test('a tag listed twice in one header is refused instead of decoded again', () => {
  // 2,000 index entries naming the same 10,000 basenames: 20 million strings if each were decoded.
  const names = Array.from({ length: 10_000 }, (_, i) => `f${i}`);
  const one = blob([
    ...base.filter((e) => e.tag !== RPMTAG.BASENAMES),
    { tag: RPMTAG.BASENAMES, type: 8, value: names },
  ]);
  const il = one.readUInt32BE(0);
  const entry = one.subarray(8 + (il - 1) * 16, 8 + il * 16);
  const copies = 2_000;
  const index = Buffer.concat([one.subarray(8, 8 + il * 16), ...Array.from({ length: copies }, () => entry)]);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(il + copies, 0);
  head.writeUInt32BE(one.readUInt32BE(4), 4);
  const hostile = Buffer.concat([head, index, one.subarray(8 + il * 16)]);
  const started = performance.now();
  assert.throws(
    () => parseRpmHeader(hostile, 'db'),
    (e: unknown) => isCustomsError(e) && e.code === 'ANALYZE_FILE_INVALID' && /tag 1117 appears twice/.test(e.message),
  );
  assert.ok(performance.now() - started < 1000);
});
