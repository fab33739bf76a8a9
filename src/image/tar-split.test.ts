/**
 * tar-split.ts: a layer tar rebuilt from generated tar-split metadata and a
 * diff directory, byte for byte; names that climb out, directories swapped for
 * symlinks, fifos and short files never read outside the diff directory,
 * never hang, and fail with a code.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { CustomsError, sha256 } from '../core/index.js';
import { encodeHeader, endOfArchive, padding } from './tar/tar-writer.js';
import { tarSplitLength, tarSplitStream } from './tar-split.js';
import { readAll } from './test-support/image-fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'customs-tar-split-'));
after(() => rmSync(work, { recursive: true, force: true }));

interface Spec {
  readonly path: string;
  readonly data?: Buffer;
  readonly dir?: boolean;
  /** Write the tar-split name as `name_raw` (bytes that are not UTF-8). */
  readonly raw?: Buffer;
}

/**
 * The tar of `files`, its tar-split (segments: headers and padding; file entries:
 * name and size) and a diff directory holding the files, as the engine keeps them.
 */
function layer(name: string, files: readonly Spec[]): { tar: Buffer; tarSplit: string; diffDir: string } {
  const diffDir = join(work, name, 'diff');
  mkdirSync(diffDir, { recursive: true });
  const parts: Buffer[] = [];
  const lines: string[] = [];
  let pending: Buffer[] = [];
  const segment = (): void => {
    if (pending.length === 0) return;
    lines.push(JSON.stringify({ type: 2, payload: Buffer.concat(pending).toString('base64'), position: lines.length }));
    pending = [];
  };
  for (const f of files) {
    const data = f.data ?? Buffer.alloc(0);
    const header = encodeHeader({
      path: f.dir ? `${f.path}/` : f.path,
      type: f.dir ? 'dir' : 'file',
      size: f.dir ? 0 : data.length,
      mode: f.dir ? 0o755 : 0o644,
      mtime: 1700000000,
      uid: 0,
      gid: 0,
    });
    parts.push(header);
    pending.push(header);
    segment();
    const entry: Record<string, unknown> = { type: 1, size: data.length, payload: null, position: lines.length };
    if (f.raw) entry.name_raw = f.raw.toString('base64');
    else entry.name = f.dir ? `${f.path}/` : f.path;
    lines.push(JSON.stringify(entry));
    if (f.dir) mkdirSync(join(diffDir, f.path), { recursive: true });
    else {
      const onDisk = f.raw ? Buffer.concat([Buffer.from(`${diffDir}/`), f.raw]) : join(diffDir, f.path);
      mkdirSync(dirname(onDisk.toString()), { recursive: true });
      writeFileSync(onDisk, data);
      parts.push(data, padding(data.length));
      pending.push(padding(data.length));
    }
  }
  parts.push(endOfArchive());
  pending.push(endOfArchive());
  segment();
  const tarSplit = join(work, name, 'tar-split.json.gz');
  writeFileSync(tarSplit, gzipSync(`${lines.join('\n')}\n`));
  return { tar: Buffer.concat(parts), tarSplit, diffDir };
}

const rejectsWith = async (p: Promise<unknown>, code: string, text: RegExp): Promise<void> => {
  await assert.rejects(p, (e: unknown) => e instanceof CustomsError && e.code === code && text.test(e.message));
};

test('tar-split: rebuilds the layer tar byte for byte (big, empty and non-UTF-8 names) and knows its length', async () => {
  const big = Buffer.alloc(700_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7919) & 0xff;
  const l = layer('ok', [
    { path: 'etc', dir: true },
    { path: 'etc/os-release', data: Buffer.from('ID=alpine\n') },
    { path: 'etc/empty', data: Buffer.alloc(0) },
    // Quotes in a name are escaped in the JSON: they cannot pass for a size or a payload.
    { path: 'etc/we"ird "size":99999,"payload":"AAAA', data: Buffer.from('quoted name') },
    { path: 'opt/big.bin', data: big },
    { path: 'caf\xe9', raw: Buffer.from([0x63, 0x61, 0x66, 0xe9]), data: Buffer.from('latin-1 name') },
  ]);
  const out = await readAll(tarSplitStream(l.tarSplit, l.diffDir, 'layer ok'));
  assert.equal(out.length, l.tar.length);
  assert.equal(sha256(out), sha256(l.tar));
  assert.equal(await tarSplitLength(l.tarSplit, 'layer ok'), l.tar.length);
});

test('tar-split: a name with .. is LAYER_PATH_ESCAPE; nothing outside the diff directory is opened', async () => {
  writeFileSync(join(work, 'outside.txt'), 'host file');
  const l = layer('climb', [{ path: 'a/../../outside.txt', data: Buffer.from('host file') }]);
  await rejectsWith(readAll(tarSplitStream(l.tarSplit, l.diffDir, 'layer climb')), 'LAYER_PATH_ESCAPE', /outside/);
});

test('tar-split: a directory or file swapped for a symlink out of the diff directory is not followed', async () => {
  const host = join(work, 'host');
  mkdirSync(host, { recursive: true });
  writeFileSync(join(host, 'secret'), 'same bytes');
  // A parent directory that is a symlink to a host directory holding a file of the same name.
  const dir = layer('dir-link', [{ path: 'etc/secret', data: Buffer.from('same bytes') }]);
  rmSync(join(dir.diffDir, 'etc'), { recursive: true });
  symlinkSync(host, join(dir.diffDir, 'etc'));
  await rejectsWith(
    readAll(tarSplitStream(dir.tarSplit, dir.diffDir, 'layer dir-link')),
    'IMAGE_DIGEST_MISMATCH',
    /etc in .* is not a directory/,
  );
  // The file itself a symlink to the host file.
  const file = layer('file-link', [{ path: 'secret', data: Buffer.from('same bytes') }]);
  rmSync(join(file.diffDir, 'secret'));
  symlinkSync(join(host, 'secret'), join(file.diffDir, 'secret'));
  await rejectsWith(
    readAll(tarSplitStream(file.tarSplit, file.diffDir, 'layer file-link')),
    'IMAGE_DIGEST_MISMATCH',
    /cannot read secret/,
  );
});

test('tar-split: a fifo in place of a file fails at once instead of blocking; a short file is a mismatch', async () => {
  const fifo = layer('fifo', [{ path: 'pipe', data: Buffer.from('data') }]);
  rmSync(join(fifo.diffDir, 'pipe'));
  execFileSync('mkfifo', [join(fifo.diffDir, 'pipe')]);
  await rejectsWith(
    readAll(tarSplitStream(fifo.tarSplit, fifo.diffDir, 'layer fifo')),
    'IMAGE_DIGEST_MISMATCH',
    /not a regular file/,
  );
  const short = layer('short', [{ path: 'f', data: Buffer.from('0123456789') }]);
  writeFileSync(join(short.diffDir, 'f'), '01234');
  await rejectsWith(
    readAll(tarSplitStream(short.tarSplit, short.diffDir, 'layer short')),
    'IMAGE_DIGEST_MISMATCH',
    /shorter than the 10 bytes/,
  );
});

test('tar-split: a line that is not an entry is IMAGE_FORMAT_INVALID', async () => {
  const bad = join(work, 'bad.json.gz');
  writeFileSync(bad, gzipSync('{"type":7}\n'));
  await rejectsWith(tarSplitLength(bad, 'layer bad'), 'IMAGE_FORMAT_INVALID', /type 7/);
  writeFileSync(bad, gzipSync('not json\n'));
  await rejectsWith(readAll(tarSplitStream(bad, work, 'layer bad')), 'IMAGE_FORMAT_INVALID', /not JSON/);
});

test('tar-split: a UTF-8 name split across two inflated chunks (256 KiB) still names its file', async () => {
  const dir = join(work, 'utf8', 'diff');
  const name = 'usr/share/ca-certificates/NetLock_Arany_=Class_Gold=_Főtanúsítvány.crt';
  mkdirSync(join(dir, dirname(name)), { recursive: true });
  const data = Buffer.from('certificate bytes');
  writeFileSync(join(dir, name), data);
  const header = encodeHeader({ path: name, type: 'file', size: data.length, mode: 0o644, mtime: 1, uid: 0, gid: 0 });
  const tail = Buffer.concat([padding(data.length), endOfArchive()]);
  const entry = JSON.stringify({ type: 1, name, size: data.length, payload: null, position: 2 });
  const segment = (b: Buffer, position: number): string =>
    JSON.stringify({ type: 2, payload: b.toString('base64'), position });
  const head = `${segment(header, 1)}\n`;
  // A size-0 file entry holds no bytes of the tar: its name pads the text so that the
  // first non-ASCII character ("ő", two bytes) straddles byte 262144.
  const split = 256 * 1024;
  const prefix = (fill: string): string =>
    `${JSON.stringify({ type: 1, name: fill, size: 0, payload: null, position: 0 })}\n`;
  const before = Buffer.byteLength(prefix('')) + Buffer.byteLength(head) + entry.indexOf('ő');
  const text = `${prefix('f'.repeat(split - 1 - before))}${head}${entry}\n${segment(tail, 3)}\n`;
  assert.equal(
    Buffer.from(text)
      .subarray(split - 1, split + 1)
      .toString(),
    'ő',
  );
  const tarSplit = join(work, 'utf8', 'tar-split.json.gz');
  writeFileSync(tarSplit, gzipSync(text));
  const tar = Buffer.concat([header, data, tail]);
  const out = await readAll(tarSplitStream(tarSplit, dir, 'layer utf8'));
  assert.equal(sha256(out), sha256(tar));
  assert.equal(await tarSplitLength(tarSplit, 'layer utf8'), tar.length);
});
