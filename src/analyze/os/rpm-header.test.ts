import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCustomsError } from '../../core/index.js';
import { parseRpmHeader, parseSourceRpm, RPMTAG, rpmPackageOf } from './rpm-header.js';

interface Entry {
  tag: number;
  type: number;
  value: string | string[] | number[];
}

/** Build a header blob per rpm's lib/header.c layout (il, dl, index entries, data; big-endian). */
function blob(entries: Entry[]): Buffer {
  const data: Buffer[] = [];
  let size = 0;
  const index = Buffer.alloc(entries.length * 16);
  entries.forEach((e, i) => {
    let bytes: Buffer;
    let count: number;
    if (e.type === 4) {
      const v = e.value as number[];
      while (size % 4 !== 0) {
        data.push(Buffer.alloc(1));
        size++;
      }
      bytes = Buffer.alloc(v.length * 4);
      for (const [k, n] of v.entries()) bytes.writeUInt32BE(n, k * 4);
      count = v.length;
    } else {
      const v = typeof e.value === 'string' ? [e.value] : (e.value as string[]);
      bytes = Buffer.concat(v.map((s) => Buffer.from(`${s}\0`)));
      count = v.length;
    }
    index.writeUInt32BE(e.tag, i * 16);
    index.writeUInt32BE(e.type, i * 16 + 4);
    index.writeUInt32BE(size, i * 16 + 8);
    index.writeUInt32BE(count, i * 16 + 12);
    data.push(bytes);
    size += bytes.length;
  });
  const head = Buffer.alloc(8);
  head.writeUInt32BE(entries.length, 0);
  head.writeUInt32BE(size, 4);
  return Buffer.concat([head, index, ...data]);
}

const base: Entry[] = [
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
