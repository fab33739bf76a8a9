import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { isCustomsError, type PackageFact, testdata } from '../../core/index.js';
import { fixtureFile } from './fixture-file.js';
import { parseRpmdb, rpmDb } from './rpm-db.js';

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
  const r = await rpmDb.analyze(fixtureFile('var/lib/rpm/Packages', file('Packages')));
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
