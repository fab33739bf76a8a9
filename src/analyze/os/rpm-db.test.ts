import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { isCustomsError, type PackageFact } from '../../core/index.js';
import { testdata } from '../../core/test-support/testdata.js';
import { analyzerTester } from '../test-support/analyzer-tester.js';
import { RPMDB_MAX_PACKAGES } from './rpm-budget.js';
import { parseRpmdb, rpmDb } from './rpm-db.js';
import {
  bdbFile,
  bdbKey,
  bdbOverflowChain,
  headerBlob,
  ndbBlocks,
  ndbFile,
  packageBlob,
} from './test-support/rpm-builders.js';

// Fixtures and their oracles come from testdata/make-rpmdb.sh: real databases written by rpm
// 4.18 (sqlite) and db5.3_load (Berkeley DB, both byte orders), `rpm -qa` output as expected
// lists, and real SUSE (ndb) / RHEL 8 (bdb) databases from github.com/knqyf263/go-rpmdb.
const file = (name: string): Buffer => readFileSync(testdata(import.meta.url, 'rpm', name));
const lines = (name: string): string[] =>
  file(name)
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '');

/** A package as `rpm -qa --qf '%{NAME}\t%{EPOCHNUM}\t%{VERSION}\t%{RELEASE}\t%{ARCH}\t%{SOURCERPM}\t%{LICENSE}'` prints it. */
function qa(p: PackageFact): string {
  const dash = p.version.lastIndexOf('-');
  const srpm = p.source ? `${p.source.name}-${p.source.version}.src.rpm` : '(none)';
  return [
    p.name,
    p.epoch ?? 0,
    p.version.slice(0, dash),
    p.version.slice(dash + 1),
    p.arch ?? '(none)',
    srpm,
    p.license ?? '(none)',
  ].join('\t');
}
const sorted = (xs: string[]): string[] => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
const withoutPubkeys = (xs: string[]): string[] => xs.filter((l) => !l.startsWith('gpg-pubkey\t'));

for (const name of ['rpmdb.sqlite', 'Packages', 'Packages.be']) {
  test(`${name}: the packages rpm -qa lists (gpg-pubkey skipped), with their files`, () => {
    const { packages, ownedFiles } = parseRpmdb(file(name), `var/lib/rpm/${name}`);
    assert.deepEqual(sorted(packages.map(qa)), withoutPubkeys(lines('expected.txt')));
    assert.equal(
      lines('expected.txt').some((l) => l.startsWith('gpg-pubkey\t')),
      true,
      'the fixture has a pubkey to skip',
    );
    const files = sorted(packages.flatMap((p) => (p.files ?? []).map((f) => `${p.name}\t/${f}`)));
    assert.deepEqual(files, lines('files.txt'));
    assert.equal(ownedFiles.length, files.length);
    const hello = packages.find((p) => p.name === 'hello-libs');
    assert.deepEqual(hello?.source, { name: 'hello', version: '1.2-3.el9' });
    assert.equal(hello?.epoch, 2);
  });
}

test('RHEL 8 Berkeley DB (real): libuuid', () => {
  const { packages } = parseRpmdb(file('libuuid-Packages'), 'var/lib/rpm/Packages');
  assert.deepEqual(packages.map(qa), lines('libuuid.expected'));
  assert.equal(packages[0]?.meta?.vendor, 'Red Hat, Inc.');
  assert.ok(packages[0]?.files?.includes('usr/lib64/libuuid.so.1'));
});

test('SUSE BCI 15 ndb Packages.db (real): every package go-rpmdb records', () => {
  const { packages, ownedFiles } = parseRpmdb(
    gunzipSync(file('sle15-bci-Packages.db.gz')),
    'usr/lib/sysimage/rpm/Packages.db',
  );
  assert.deepEqual(sorted(packages.map(qa)), withoutPubkeys(lines('sle15-bci.expected')));
  assert.ok(ownedFiles.includes('usr/bin/bash'));
});

test('an rpmdb.sqlite in WAL mode (as rpm leaves it) reads the same', () => {
  const wal = Buffer.from(file('rpmdb.sqlite'));
  wal[18] = 2;
  wal[19] = 2;
  assert.deepEqual(parseRpmdb(wal, 'x').packages, parseRpmdb(file('rpmdb.sqlite'), 'x').packages);
});

test('wants every database location', async () => {
  const info = { path: '', size: 1, mode: 0o644 };
  for (const p of [
    'var/lib/rpm/Packages',
    'var/lib/rpm/rpmdb.sqlite',
    'usr/lib/sysimage/rpm/Packages.db',
    'usr/lib/sysimage/rpm/rpmdb.sqlite',
  ]) {
    assert.equal(rpmDb.wants(p, info), true, p);
  }
  for (const p of ['var/lib/rpm/Name', 'var/lib/rpm/rpmdb.sqlite-shm', 'var/lib/rpm/__db.001'])
    assert.equal(rpmDb.wants(p, info), false, p);
  const r = await analyzerTester(rpmDb).file('var/lib/rpm/Packages', file('Packages')).result();
  assert.equal(r.packages?.length, 4);
});

function assertCorrupt(bytes: Buffer, label: string): void {
  assert.throws(
    () => parseRpmdb(bytes, 'var/lib/rpm/Packages'),
    (e: unknown) =>
      isCustomsError(e) && e.code === 'ANALYZE_FILE_INVALID' && e.message.startsWith('var/lib/rpm/Packages'),
    label,
  );
}

test('truncated and corrupt databases of every format throw a CustomsError', () => {
  const ndb = gunzipSync(file('sle15-bci-Packages.db.gz'));
  for (const name of ['rpmdb.sqlite', 'Packages', 'Packages.be']) {
    const b = file(name);
    assertCorrupt(b.subarray(0, Math.floor(b.length / 2)), `${name} halved`);
  }
  assertCorrupt(ndb.subarray(0, Math.floor(ndb.length / 2)), 'ndb halved');
  assertCorrupt(Buffer.alloc(0), 'empty');
  assertCorrupt(Buffer.from('this is not a database at all, just text'.repeat(40)), 'text');
  // A flipped byte inside an ndb blob breaks its adler32.
  const flipped = Buffer.from(ndb);
  const blkoff = flipped.readUInt32LE(32 + 8);
  flipped[blkoff * 16 + 100] = (flipped[blkoff * 16 + 100] ?? 0) ^ 0xff;
  assertCorrupt(flipped, 'ndb checksum');
  // An overflow chain that loops must not hang: every overflow page points back at itself.
  const be = Buffer.from(file('Packages.be'));
  const pageSize = be.readUInt32BE(20);
  for (let p = pageSize; p < be.length; p += pageSize) {
    if (be[p + 25] === 7) be.writeUInt32BE(p / pageSize, p + 16);
  }
  assertCorrupt(be, 'bdb overflow loop');
  // Page size that is not a power of two.
  const ps = Buffer.from(file('Packages'));
  ps.writeUInt32LE(3000, 20);
  assertCorrupt(ps, 'bdb page size');
});

const DB = 'var/lib/rpm/Packages';

/** The CustomsError parseRpmdb throws on `bytes` (failing when it reads them), and how long that took. */
function refusal(bytes: Buffer): { code: string; message: string; ms: number } {
  const started = performance.now();
  try {
    parseRpmdb(bytes, DB);
  } catch (e) {
    assert.ok(isCustomsError(e), `not a CustomsError: ${String(e)}`);
    return { code: e.code, message: e.message, ms: performance.now() - started };
  }
  assert.fail('the database was read');
}

function assertRefused(bytes: Buffer, code: string, pattern: RegExp, maxMs = 1000): void {
  // maxMs: crafted inputs are refused before the work they ask for; 1 s is ample even on a loaded machine.
  const e = refusal(bytes);
  assert.equal(e.code, code, e.message);
  assert.match(e.message, /^var\/lib\/rpm\/Packages: /);
  assert.match(e.message, pattern);
  assert.match(e.message, /likely crafted or corrupt/);
  assert.ok(e.ms < maxMs, `took ${e.ms} ms`);
}

/** A header of `files` one-letter files in `dir`, about 6 bytes of header per file. */
function manyFiles(name: string, files: number, dir: string): Buffer {
  const names = Array.from({ length: files }, (_, i) => String.fromCharCode(97 + (i % 26)));
  return headerBlob([
    { tag: 1000, type: 6, value: name },
    { tag: 1001, type: 6, value: '1' },
    { tag: 1002, type: 6, value: '1' },
    { tag: 1116, type: 4, value: names.map(() => 0) },
    { tag: 1117, type: 8, value: names },
    { tag: 1118, type: 8, value: [dir] },
  ]);
}

test('generated Berkeley DB hash files read back, inline and overflow items, both byte orders', () => {
  for (const order of ['le', 'be'] as const) {
    const small = packageBlob('small', ['a']);
    const big = Buffer.concat([packageBlob('big', ['b']), Buffer.alloc(10_000)]);
    const chain = bdbOverflowChain(big, 2);
    const file = bdbFile(
      [
        {
          hash: [
            { inline: bdbKey(0, order) },
            { inline: Buffer.alloc(4) }, // rpm's record counter: skipped
            { inline: bdbKey(1, order) },
            { inline: small },
            { inline: bdbKey(2, order) },
            { pgno: 2, total: big.length },
          ],
        },
        ...chain,
      ],
      { order },
    );
    assert.deepEqual(
      parseRpmdb(file, DB).packages.map((p) => [p.name, p.files]),
      [
        ['small', ['usr/share/small/a']],
        ['big', ['usr/share/big/b']],
      ],
    );
  }
});

test('Berkeley DB: 3,800 items naming one 900 KB overflow chain are refused in milliseconds', () => {
  // Before: each item copied the chain again, 3.4 GB decoded from a 1 MB file.
  const big = Buffer.concat([packageBlob('big', ['b']), Buffer.alloc(900_000)]);
  const chain = bdbOverflowChain(big, 1);
  const hashPages = Array.from({ length: 20 }, (_, p) => ({
    hash: Array.from({ length: 190 }, (_, i) => [
      { inline: bdbKey(p * 190 + i + 1) },
      { pgno: 1, total: big.length },
    ]).flat(),
  }));
  const file = bdbFile([...chain, ...hashPages]);
  assert.ok(file.length < 1_100_000, `${file.length} bytes`);
  // The second reference already takes the decoded bytes past the file's size.
  assertRefused(
    file,
    'ANALYZE_LIMIT_EXCEEDED',
    /an overflow item of \d+ bytes would bring the header-blob bytes .* past its budget/,
  );
});

test('Berkeley DB: two items sharing one overflow chain are refused, however small the chain', () => {
  const blob = Buffer.concat([packageBlob('x'), Buffer.alloc(5000)]);
  const chain = bdbOverflowChain(blob, 2);
  const file = bdbFile([
    {
      hash: [
        { inline: bdbKey(1) },
        { pgno: 2, total: blob.length },
        { inline: bdbKey(2) },
        { pgno: 2, total: blob.length },
      ],
    },
    ...chain,
    ...Array.from({ length: 4 }, () => ({ hash: [] })), // room in the budget for a second copy
  ]);
  assertRefused(
    file,
    'ANALYZE_FILE_INVALID',
    /overflow page 2 is reached twice \(a looping or shared overflow chain\)/,
  );
});

test('Berkeley DB: an overflow chain longer than its length needs is refused', () => {
  // Ten pages of 10 bytes for a 100-byte item that one page holds: a chain padded to burn work.
  const data = Buffer.concat([packageBlob('x'), Buffer.alloc(100)]).subarray(0, 100);
  const pages = Array.from({ length: 10 }, (_, i) => ({
    overflow: data.subarray(i * 10, i * 10 + 10),
    next: i < 9 ? i + 3 : 0,
  }));
  const file = bdbFile([{ hash: [{ inline: bdbKey(1) }, { pgno: 2, total: 100 }] }, ...pages]);
  const e = refusal(file);
  assert.equal(e.code, 'ANALYZE_FILE_INVALID');
  assert.match(e.message, /an overflow chain of 100 bytes runs past 1 pages/);
});

test('Berkeley DB: overflow items declaring more bytes than the file are refused by the blob budget', () => {
  const big = Buffer.concat([packageBlob('big'), Buffer.alloc(30_000)]);
  const chain = bdbOverflowChain(big, 2);
  const file = bdbFile([
    {
      hash: [
        { inline: bdbKey(1) },
        { pgno: 2, total: big.length },
        { inline: bdbKey(2) },
        { pgno: 2 + chain.length, total: big.length }, // no such chain: refused before it is walked
      ],
    },
    ...chain,
  ]);
  assertRefused(
    file,
    'ANALYZE_LIMIT_EXCEEDED',
    new RegExp(
      `past its budget of ${file.length} \\(1 × its ${file.length} bytes: a real database stores each blob byte once\\)`,
    ),
  );
});

test('generated ndb files read back', () => {
  const blobs = ['a', 'b', 'c'].map((n) => packageBlob(n, ['f']));
  assert.deepEqual(
    parseRpmdb(ndbFile(blobs), DB).packages.map((p) => p.name),
    ['a', 'b', 'c'],
  );
});

test('ndb: 16,382 slots naming one blob are refused in milliseconds', () => {
  // Before: 16,382 checksums and header parses of the same blob (47 s at 1 MB), 16,382 packages.
  const file = ndbFile([manyFiles('big', 50_000, '/usr/share/big/')], 64);
  const first = file.subarray(32, 48);
  let slots = 1;
  for (let off = 48; off < 64 * 4096; off += 16, slots++) first.copy(file, off);
  assert.equal(slots, 16_382);
  assertRefused(file, 'ANALYZE_FILE_INVALID', /package 1 has two slots in the ndb database/);
});

test('ndb: block runs that overlap are refused, even when each verifies', () => {
  // Blob A carries a complete, valid run of blob B inside its own bytes; slot 2 points into A.
  const b = packageBlob('inner');
  const inner = ndbFile([packageBlob('x'), b]).subarray(4096 + ndbBlocks(packageBlob('x').length) * 16);
  inner.writeUInt32LE(2, 4); // already package 2
  const headA = packageBlob('outer');
  const pad = (16 - ((16 + headA.length) % 16)) % 16;
  const a = Buffer.concat([headA, Buffer.alloc(pad), inner]);
  const file = ndbFile([a]);
  const innerBlk = (4096 + 16 + headA.length + pad) / 16;
  file.writeUInt32LE(2, 48 + 4);
  file.writeUInt32LE(innerBlk, 48 + 8);
  file.writeUInt32LE(ndbBlocks(b.length), 48 + 12);
  assertRefused(file, 'ANALYZE_FILE_INVALID', /package 2's blocks \d+\+\d+ overlap another package's/);
});

test('more packages than RPMDB_MAX_PACKAGES are refused', () => {
  const slotPages = Math.ceil((RPMDB_MAX_PACKAGES + 1 + 2) / 256);
  const file = ndbFile([], slotPages);
  for (let i = 0; i <= RPMDB_MAX_PACKAGES; i++) file.writeUInt32LE(i + 1, 32 + 16 * i + 4);
  assertRefused(file, 'ANALYZE_LIMIT_EXCEEDED', new RegExp(`more than ${RPMDB_MAX_PACKAGES} packages`));
});

test("headers each within their own path budget but together past the database's are refused", () => {
  // 300 packages of 1,000 files under a 90-character directory: 15 path characters per header byte each
  // (under 16), 27 million characters in all from a 2 MB database (budget: 2 × its size + 16 MiB).
  const dir = `/${'d'.repeat(88)}/`;
  const file = ndbFile(
    Array.from({ length: 300 }, (_, i) => manyFiles(`p${i}`, 1000, dir)),
    2,
  );
  assertRefused(
    file,
    'ANALYZE_LIMIT_EXCEEDED',
    new RegExp(
      `package p\\d+'s 1000 file paths \\(91000 characters\\) would bring the file-path characters decoded from this database to \\d+, past its budget of ${2 * file.length + 16 * 1024 * 1024}`,
    ),
    30_000, // not a speed test: the paths up to the budget (20 million characters) are really built
  );
});
