import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { isCustomsError } from '../../core/index.js';
import {
  chunked,
  type FixtureEntry,
  gnuLongEntry,
  paxEntry,
  paxGlobalEntry,
  paxSparseEntries,
  tarBytes,
} from './test-support/tar-fixture.js';
import { TarReader, type TarEntry } from './tar-reader.js';

async function readAll(stream: Readable): Promise<{ entry: TarEntry; body: string }[]> {
  const r = new TarReader(stream);
  const out: { entry: TarEntry; body: string }[] = [];
  for (let e = await r.next(); e; e = await r.next()) {
    out.push({ entry: e, body: (await r.readBody()).toString() });
  }
  return out;
}

async function rejectsWith(stream: Readable, code: string): Promise<void> {
  await assert.rejects(readAll(stream), (e: unknown) => isCustomsError(e) && e.code === code);
}

test('reads files, dirs, links, pax and GNU long names, across chunk boundaries', async () => {
  const long = `${'d'.repeat(120)}/file.txt`;
  const buf = tarBytes([
    { name: 'etc/', type: '5' },
    { name: 'etc/os-release', body: 'ID=debian\n' },
    { name: 'etc/link', type: '2', linkname: '../usr/lib/os-release' },
    { name: 'etc/hard', type: '1', linkname: 'etc/os-release' },
    paxEntry({ path: long }),
    { name: 'ignored-short-name', body: 'pax' },
    { name: '././@LongLink', type: 'L', body: `${long}2\0` },
    { name: 'short', body: 'gnu' },
    { name: 'big', body: 'x'.repeat(1000), base256: true },
  ]);
  const all = await readAll(chunked(buf, 77));
  assert.deepEqual(
    all.map((a) => [a.entry.name, a.entry.type, a.body.length]),
    [
      ['etc/', 'dir', 0],
      ['etc/os-release', 'file', 10],
      ['etc/link', 'symlink', 0],
      ['etc/hard', 'hardlink', 0],
      [long, 'file', 3],
      [`${long}2`, 'file', 3],
      ['big', 'file', 1000],
    ],
  );
  assert.equal(all[2]?.entry.linkname, '../usr/lib/os-release');
});

test('skips unread bodies and reads heads', async () => {
  const buf = tarBytes([
    { name: 'a', body: 'A'.repeat(2000) },
    { name: 'b', body: '\x7fELF rest of binary' },
  ]);
  const r = new TarReader(chunked(buf, 300));
  assert.equal((await r.next())?.name, 'a');
  assert.equal((await r.next())?.name, 'b');
  assert.equal((await r.readHead(4)).toString('latin1'), '\x7fELF');
  assert.equal((await r.readBody()).toString('latin1'), '\x7fELF rest of binary');
  assert.equal(await r.next(), null);
});

test('a stream cut inside an entry is LAYER_TRUNCATED, not a hang', async () => {
  const buf = tarBytes([{ name: 'a', body: 'x'.repeat(5000) }]);
  await rejectsWith(chunked(buf.subarray(0, 2000)), 'LAYER_TRUNCATED');
  await rejectsWith(chunked(buf.subarray(0, 300)), 'LAYER_TRUNCATED');
});

test('garbage is LAYER_CORRUPT', async () => {
  await rejectsWith(Readable.from([Buffer.alloc(512, 0x41)]), 'LAYER_CORRUPT');
  await rejectsWith(chunked(tarBytes([{ name: 'a', body: 'x', badChecksum: true }])), 'LAYER_CORRUPT');
});

test('a huge pax header is refused', async () => {
  const big = paxEntry({ comment: 'c'.repeat(2 * 1024 * 1024) });
  await rejectsWith(chunked(tarBytes([big, { name: 'a', body: 'x' }]), 65536), 'LAYER_CORRUPT');
});

test('reads what GNU tar writes (long names, symlinks, pax)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'customs-tar-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'root');
  const deep = join(root, 'n'.repeat(90), 'm'.repeat(90));
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(deep, 'package.json'), '{"name":"x","version":"1.0.0"}');
  symlinkSync('../n/x', join(root, 'link'));
  for (const format of ['gnu', 'pax', 'ustar']) {
    const file = join(dir, `${format}.tar`);
    try {
      execFileSync('tar', ['--format', format, '-C', root, '-cf', file, '.']);
    } catch (e) {
      // ustar cannot store a 180-byte path component split; GNU tar says so and exits non-zero.
      if (format === 'ustar') continue;
      throw e;
    }
    const all = await readAll(Readable.from(chunked(execFileSync('cat', [file]), 4096)));
    const names = all.map((a) => a.entry.name.replace(/^\.\//, ''));
    assert.ok(names.includes(`${'n'.repeat(90)}/${'m'.repeat(90)}/package.json`), `${format}: ${names.join(',')}`);
    assert.ok(
      all.some((a) => a.entry.type === 'symlink' && a.entry.linkname === '../n/x'),
      format,
    );
  }
});

// Semantics of Go's archive/tar, which Docker, containerd and BuildKit unpack layers with:
// where two readers could disagree, a hostile layer could show customs other files than the runtime installs.

const names = async (entries: FixtureEntry[]): Promise<string[]> =>
  (await readAll(chunked(tarBytes(entries), 61))).map((a) => `${a.entry.type}:${a.entry.name}`);

test('a pax global header names no entry: a global path does not rename the entries after it', async () => {
  assert.deepEqual(
    await names([
      paxGlobalEntry({ path: 'etc/motd', linkpath: 'x', comment: 'built by' }),
      { name: 'var/lib/dpkg/status', body: 'Package: openssl\n' },
      { name: 'etc/alt', type: '2', linkname: '../usr/bin/tool' },
    ]),
    ['file:var/lib/dpkg/status', 'symlink:etc/alt'],
  );
  const all = await readAll(
    chunked(tarBytes([paxGlobalEntry({ linkpath: 'evil' }), { name: 'l', type: '2', linkname: 't' }])),
  );
  assert.equal(all[0]?.entry.linkname, 't');
});

test('a pax global header drops the local metadata pending before it', async () => {
  assert.deepEqual(
    await names([
      paxEntry({ path: 'lost-pax' }),
      gnuLongEntry('L', 'lost-gnu'),
      paxGlobalEntry({ comment: 'x' }),
      { name: 'kept', body: '1' },
    ]),
    ['file:kept'],
  );
});

test('pax and GNU names: a later x header replaces an earlier one, GNU long names win, empty values keep the header', async () => {
  assert.deepEqual(
    await names([
      paxEntry({ path: 'first' }),
      paxEntry({ mtime: '1.5' }),
      { name: 'second-x-has-no-path', body: '1' },
      paxEntry({ path: '' }),
      { name: 'empty-path-keeps-header', body: '1' },
      paxEntry({ path: 'from-pax' }),
      gnuLongEntry('L', 'from-gnu'),
      { name: 'ustar', body: '1' },
      gnuLongEntry('L', 'from-gnu-2'),
      paxEntry({ path: 'from-pax-2' }),
      { name: 'ustar', body: '1' },
      paxEntry({ path: 'only-next' }),
      { name: 'a', body: '1' },
      { name: 'b', body: '1' },
    ]),
    [
      'file:second-x-has-no-path',
      'file:empty-path-keeps-header',
      'file:from-gnu',
      'file:from-gnu-2',
      'file:only-next',
      'file:b',
    ],
  );
  const links = await readAll(
    chunked(
      tarBytes([
        paxEntry({ linkpath: 'pax-target' }),
        gnuLongEntry('K', 'gnu-target'),
        { name: 'l', type: '2', linkname: 'h' },
      ]),
    ),
  );
  assert.equal(links[0]?.entry.linkname, 'gnu-target');
});

test('links, devices, directories and fifos have no body, whatever their size field says', async () => {
  // The "body" a fifo claims is a real header to archive/tar: the file it describes is installed.
  const inner = tarBytes([{ name: 'var/lib/dpkg/status', body: 'Package: openssl\n' }], false);
  for (const type of ['1', '2', '3', '4', '5', '6']) {
    const all = await readAll(
      chunked(
        tarBytes([
          { name: `x${type}`, type, linkname: 'y', size: inner.length, body: inner },
          { name: 'z', body: '' },
        ]),
      ),
    );
    assert.deepEqual(
      all.map((a) => [a.entry.name, a.body]),
      [
        [`x${type}`, ''],
        ['var/lib/dpkg/status', 'Package: openssl\n'],
        ['z', ''],
      ],
      `type ${type}`,
    );
  }
});

test('an old-style file entry (typeflag NUL) whose name ends in "/" is a directory', async () => {
  assert.deepEqual(
    await names([
      { name: 'dir/', type: '\0' },
      { name: 'file', type: '\0', body: 'f' },
    ]),
    ['dir:dir/', 'file:file'],
  );
});

test('prefix fields: 155 bytes in ustar, 131 in star, in GNU headers only when their times do not parse', async () => {
  const p = 'p'.repeat(131);
  assert.deepEqual(
    await names([
      { name: 'u', prefix: 'usr/lib', body: '' },
      // star: bytes 476.. hold atime and ctime, not more prefix.
      { name: 's', format: 'star', prefix: p, tail: '00000000000\x0000000000000\x00', body: '' },
      { name: 'g', format: 'gnu', prefix: '00000000000\x0000000000000\x00', body: '' },
      { name: 'g2', format: 'gnu', prefix: 'old-go-prefix', body: '' },
      { name: 'v', format: 'v7', prefix: 'ignored', body: '' },
    ]),
    ['file:usr/lib/u', `file:${p}/s`, 'file:g', 'file:old-go-prefix/g2', 'file:v'],
  );
});

test('numeric fields read as archive/tar does: leading NULs and spaces are padding', async () => {
  const buf = tarBytes([
    { name: 'a', body: 'x'.repeat(600) },
    { name: 'b', body: 'y' },
  ]);
  // Size field "\0 00000001130\0" style: archive/tar trims leading NULs and spaces.
  buf.write('\0 ', 124, 'latin1');
  buf.write('0000001130\0', 126, 'latin1');
  let sum = 0;
  buf.fill(0x20, 148, 156);
  for (let i = 0; i < 512; i++) sum += buf[i] ?? 0;
  buf.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  const all = await readAll(chunked(buf));
  assert.deepEqual(
    all.map((a) => [a.entry.name, a.body.length]),
    [
      ['a', 600],
      ['b', 1],
    ],
  );
  await rejectsWith(chunked(tarBytes([paxEntry({ mtime: 'yesterday' }), { name: 'a' }])), 'LAYER_CORRUPT');
  await rejectsWith(chunked(tarBytes([paxEntry({ size: '1e3' }), { name: 'a' }])), 'LAYER_CORRUPT');
  await rejectsWith(
    chunked(tarBytes([{ name: 'PaxHeader', type: 'x', body: '11 path=ab' }, { name: 'a' }])),
    'LAYER_CORRUPT',
  );
});

test('one zero block then a header is corrupt; one zero block then the end is a clean end', async () => {
  const a = tarBytes([{ name: 'a', body: 'a' }], false);
  const b = tarBytes([{ name: 'var/lib/dpkg/status', body: 'Package: openssl\n' }]);
  await rejectsWith(chunked(Buffer.concat([a, Buffer.alloc(512), b])), 'LAYER_CORRUPT');
  assert.deepEqual(
    (await readAll(chunked(Buffer.concat([a, Buffer.alloc(512)])))).map((x) => x.entry.name),
    ['a'],
  );
});

test('GNU sparse files in pax format are expanded and named by GNU.sparse.name', async () => {
  const v1 = await readAll(
    chunked(
      tarBytes([
        ...paxSparseEntries('var/lib/dpkg/status', 2000, [
          [0, 'Package: a\n'],
          [1500, 'tail'],
        ]),
        { name: 'z' },
      ]),
      97,
    ),
  );
  assert.equal(v1[0]?.entry.name, 'var/lib/dpkg/status');
  assert.equal(v1[0]?.entry.size, 2000);
  const expected = Buffer.alloc(2000);
  expected.write('Package: a\n', 0);
  expected.write('tail', 1500);
  assert.equal(v1[0]?.body, expected.toString());
  assert.equal(v1[1]?.entry.name, 'z');
  // 0.1: the map lives in the pax records.
  const v01 = await readAll(
    chunked(
      tarBytes([
        paxEntry({
          'GNU.sparse.name': 'etc/x',
          'GNU.sparse.realsize': '10',
          'GNU.sparse.numblocks': '1',
          'GNU.sparse.map': '8,2',
        }),
        { name: 'GNUSparseFile.0/x', body: 'hi' },
      ]),
    ),
  );
  assert.deepEqual([v01[0]?.entry.name, v01[0]?.body], ['etc/x', `${'\0'.repeat(8)}hi`]);
  // Data that does not match the map is refused, as archive/tar does.
  const short = tarBytes(paxSparseEntries('a', 100, [[0, 'abc']]));
  short.write('9', 512 * 3 + 4, 'latin1'); // the map's length line "3" → "9"
  await rejectsWith(chunked(short), 'LAYER_CORRUPT');
  // An unknown sparse version is an ordinary file under its header name.
  const v2 = await names([
    paxEntry({ 'GNU.sparse.major': '2', 'GNU.sparse.minor': '0', 'GNU.sparse.name': 'n' }),
    { name: 'raw', body: 'r' },
  ]);
  assert.deepEqual(v2, ['file:raw']);
});

test('old GNU sparse entries (type S), which runtimes refuse, are LAYER_CORRUPT', async () => {
  await rejectsWith(chunked(tarBytes([{ name: 's', type: 'S', format: 'gnu', body: 'x' }])), 'LAYER_CORRUPT');
});

test('a negative size is refused only where a body is read', async () => {
  const minusOne: readonly [number, string] = [124, '\xff'.repeat(12)]; // base-256 -1
  assert.deepEqual(await names([{ name: 'l', type: '2', linkname: 't', fields: [minusOne] }, { name: 'z' }]), [
    'symlink:l',
    'file:z',
  ]);
  await rejectsWith(chunked(tarBytes([{ name: 'f', fields: [minusOne] }])), 'LAYER_CORRUPT');
  // Checked on the type as stored: an old-style entry named "d/" is a directory, but its size was read first.
  await rejectsWith(chunked(tarBytes([{ name: 'd/', type: '\0', fields: [minusOne] }])), 'LAYER_CORRUPT');
  assert.deepEqual(await names([paxEntry({ size: '-1' }), { name: 'h', type: '1', linkname: 'z' }]), ['hardlink:h']);
  await rejectsWith(chunked(tarBytes([paxEntry({ size: '-1' }), { name: 'f' }])), 'LAYER_CORRUPT');
});

test('bodies read from pooled chunks are whole and right, and the chunks go back to the pool', async (t) => {
  const { randomBytes } = await import('node:crypto');
  const { fileRangeStream } = await import('../file-range-stream.js');
  const { freeChunks } = await import('../chunk-pool.js');
  const { READ_CHUNK } = await import('../read-chunk.js');
  // Sizes inside one chunk, across two, across several, and larger than the reused body buffer.
  const sizes = [100, READ_CHUNK - 700, READ_CHUNK + 3, 3 * READ_CHUNK, 5, 17 * READ_CHUNK + 1, 2 * READ_CHUNK];
  const bodies = sizes.map((n) => randomBytes(n));
  const dir = mkdtempSync(join(tmpdir(), 'customs-pooled-tar-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'layer.tar');
  writeFileSync(file, tarBytes(bodies.map((body, i) => ({ name: `f${i}`, body }))));
  const before = freeChunks();
  const r = new TarReader(fileRangeStream({ path: file }));
  let i = 0;
  for (let e = await r.next(); e; e = await r.next()) {
    const body = await r.readBody();
    assert.ok(body.equals(bodies[i] as Buffer), `body of f${i} (${sizes[i]} bytes)`);
    i++;
  }
  assert.equal(i, bodies.length);
  await r.close();
  assert.ok(freeChunks() > before, 'the reader handed its chunks back');
});
