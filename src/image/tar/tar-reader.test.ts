import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { isCustomsError } from '../../core/index.js';
import { chunked, paxEntry, tarBytes } from './test-support/tar-fixture.js';
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

test('reads what GNU tar writes (long names, symlinks, pax)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'customs-tar-'));
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
