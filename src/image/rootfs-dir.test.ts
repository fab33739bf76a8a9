import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createContext } from '../core/index.js';
import { openImage } from './open-image.js';
import { listTar, readAll } from './test-support/image-fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'customs-dir-test-'));
after(() => rmSync(work, { recursive: true, force: true }));
const ctx = () => createContext({ config: { cacheDir: join(work, 'cache') } });

function makeRoot(): string {
  const root = join(work, `root-${Math.random().toString(36).slice(2)}`);
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, 'usr/lib'), { recursive: true });
  writeFileSync(join(root, 'usr/lib/os-release'), 'ID=debian\nVERSION_ID="12"\n');
  symlinkSync('../usr/lib/os-release', join(root, 'etc/os-release'));
  symlinkSync('/etc/shadow', join(root, 'etc/escape')); // must be stored as a link, never followed
  const deep = join(root, 'opt', 'a'.repeat(90), 'b'.repeat(90));
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(deep, `${'c'.repeat(120)}.txt`), 'long name');
  writeFileSync(join(root, 'opt/ünïcode.txt'), 'utf8 name');
  writeFileSync(join(root, 'big.bin'), Buffer.alloc(70_000, 1));
  linkSync(join(root, 'big.bin'), join(root, 'hard.bin'));
  execFileSync('mkfifo', [join(root, 'fifo')]);
  return root;
}

test('dir: one synthetic layer, a tar stream generated on the fly that tar(1) reads back', async () => {
  const root = makeRoot();
  const img = await openImage(`dir:${root}`, ctx());
  assert.equal(img.transport, 'dir');
  assert.equal(img.name, `dir:${root}`);
  assert.equal(img.layers.length, 1);
  assert.equal(img.config.os, 'linux');
  assert.deepEqual(img.config.rootfs.diff_ids, [img.layers[0]?.diffID]);
  const tar = await readAll(await (img.layers[0] as NonNullable<(typeof img.layers)[0]>).open());
  const entries = new Map(listTar(tar).map((e) => [e.name, e]));
  assert.equal(entries.get('usr/lib/os-release')?.data.toString(), 'ID=debian\nVERSION_ID="12"\n');
  assert.equal(entries.get('etc/os-release')?.type, '2');
  assert.equal(entries.get('etc/os-release')?.linkname, '../usr/lib/os-release');
  assert.equal(entries.get('etc/escape')?.linkname, '/etc/shadow');
  assert.equal(entries.get('etc/escape')?.size, 0);
  const long = `opt/${'a'.repeat(90)}/${'b'.repeat(90)}/${'c'.repeat(120)}.txt`;
  assert.equal(entries.get(long)?.data.toString(), 'long name');
  assert.equal(entries.get('opt/ünïcode.txt')?.data.toString(), 'utf8 name');
  assert.equal(entries.get('big.bin')?.size, 70_000);
  assert.equal(entries.get('hard.bin')?.type, '1');
  assert.equal(entries.get('hard.bin')?.linkname, 'big.bin');
  assert.ok(!entries.has('fifo'), 'fifos are skipped');
  // GNU tar agrees with our reading of the stream (ustar + PAX).
  const file = join(work, 'out.tar');
  writeFileSync(file, tar);
  const listed = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).split('\n');
  assert.ok(listed.includes(long));
  assert.ok(listed.includes('opt/ünïcode.txt'));
});

test('dir: the pseudo diffID is stable for the same tree and changes when a file changes', async () => {
  const root = makeRoot();
  const a = await openImage(`dir:${root}`, ctx());
  const b = await openImage(root, ctx()); // bare directory without oci-layout → rootfs
  assert.equal(b.transport, 'dir');
  assert.equal(a.layers[0]?.diffID, b.layers[0]?.diffID);
  writeFileSync(join(root, 'usr/lib/os-release'), 'ID=alpine\n');
  const c = await openImage(`dir:${root}`, ctx());
  assert.notEqual(c.layers[0]?.diffID, a.layers[0]?.diffID);
});

test('dir: a missing directory is IMAGE_NOT_FOUND', async () => {
  await assert.rejects(
    openImage(`dir:${join(work, 'nope')}`, ctx()),
    (e: unknown) => (e as { code?: string }).code === 'IMAGE_NOT_FOUND',
  );
});

/** A tree, then `cp -a` of it with other bytes of the same size and the same mtime and mode. */
function twinTrees(): { a: string; b: string } {
  const a = makeRoot();
  const b = `${a}-twin`;
  execFileSync('cp', ['-a', a, b]);
  const file = join(b, 'usr/lib/os-release');
  const before = statSync(file);
  writeFileSync(file, 'ID=ubuntu\nVERSION_ID="24"\n'); // same length as the original
  utimesSync(file, before.atime, before.mtime);
  utimesSync(join(b, 'usr/lib'), statSync(join(a, 'usr/lib')).atime, statSync(join(a, 'usr/lib')).mtime);
  return { a, b };
}

test('dir: a second tree with the same paths, sizes, mtimes and modes gets another pseudo diffID', async () => {
  const { a, b } = twinTrees();
  const ia = await openImage(`dir:${a}`, ctx());
  const ib = await openImage(`dir:${b}`, ctx());
  // Guard: the listings tar(1) would show are equal.
  const listing = (root: string): string =>
    execFileSync('find', ['.', '-printf', '%p %y %s %T@ %m %l\n'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .map((l) => l.replace(/(\d+)\.\d+ /, '$1 '))
      .sort()
      .join('\n');
  assert.equal(listing(a), listing(b));
  assert.notEqual(ia.layers[0]?.diffID, ib.layers[0]?.diffID);
});

test('dir: a file rewritten in place with its size and mtime restored changes the pseudo diffID', async () => {
  const root = makeRoot();
  const file = join(root, 'usr/lib/os-release');
  const first = await openImage(`dir:${root}`, ctx());
  const before = statSync(file);
  writeFileSync(file, 'ID=ubuntu\nVERSION_ID="24"\n');
  utimesSync(file, before.atime, before.mtime);
  assert.equal(Math.floor(statSync(file).mtimeMs / 1000), Math.floor(before.mtimeMs / 1000));
  const second = await openImage(`dir:${root}`, ctx());
  assert.notEqual(second.layers[0]?.diffID, first.layers[0]?.diffID);
  // Untouched, it stays put: the ID is a cache key, not a nonce.
  const third = await openImage(`dir:${root}`, ctx());
  assert.equal(third.layers[0]?.diffID, second.layers[0]?.diffID);
});
