/**
 * Read a ZIP archive entry by entry with bounded memory (APPNOTE.TXT 6.3.10,
 * https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT). OSV's all.zip
 * files are large (npm's holds hundreds of thousands of entries) and are written
 * with data descriptors (sizes after the data, APPNOTE 4.3.9), which a purely
 * forward-streaming reader can only find by scanning for a signature that may
 * also occur inside compressed data. So this reads the central directory from
 * the end of the file (ZIP64 too, APPNOTE 4.3.14-4.3.15), then each entry at
 * its offset, inflating it with fflate's streaming Inflate under a size cap.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { Inflate } from 'fflate';
import { CustomsError } from '../../core/index.js';

export interface ZipEntry {
  readonly name: string;
  /** The entry's bytes, or the reason it could not be read (skipped by the caller, counted). */
  readonly data: Buffer | { readonly error: string };
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** The central directory of any real feed fits easily; a larger one is hostile. */
const MAX_CENTRAL_DIRECTORY = 512 * 1024 * 1024;

function invalid(path: string, why: string): CustomsError {
  return new CustomsError('VULNDB_FEED_INVALID', `${path} is not a readable ZIP archive: ${why}`);
}

async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const buf = Buffer.alloc(len);
  const { bytesRead } = await fh.read(buf, 0, len, pos);
  return bytesRead === len ? buf : buf.subarray(0, bytesRead);
}

interface CentralEntry {
  name: string;
  method: number;
  compressed: number;
  size: number;
  offset: number;
  flags: number;
}

async function centralDirectory(
  fh: FileHandle,
  path: string,
  fileSize: number,
): Promise<{ offset: number; size: number; count: number }> {
  const tailLen = Math.min(fileSize, 22 + 65535);
  const tail = await readAt(fh, fileSize - tailLen, tailLen);
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0) throw invalid(path, 'no end-of-central-directory record');
  let count = tail.readUInt16LE(at + 10);
  let size = tail.readUInt32LE(at + 12);
  let offset = tail.readUInt32LE(at + 16);
  if (
    (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) &&
    at >= 20 &&
    tail.readUInt32LE(at - 20) === ZIP64_LOCATOR
  ) {
    const z64At = Number(tail.readBigUInt64LE(at - 20 + 8));
    const z64 = await readAt(fh, z64At, 56);
    if (z64.length < 56 || z64.readUInt32LE(0) !== ZIP64_EOCD)
      throw invalid(path, 'bad ZIP64 end-of-central-directory record');
    count = Number(z64.readBigUInt64LE(32));
    size = Number(z64.readBigUInt64LE(40));
    offset = Number(z64.readBigUInt64LE(48));
  }
  if (offset + size > fileSize || size > MAX_CENTRAL_DIRECTORY)
    throw invalid(path, 'central directory outside the file');
  return { offset, size, count };
}

function parseCentral(cd: Buffer, path: string): CentralEntry[] {
  const out: CentralEntry[] = [];
  let p = 0;
  while (p + 46 <= cd.length) {
    if (cd.readUInt32LE(p) !== CENTRAL) throw invalid(path, `bad central directory entry at ${p}`);
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    let compressed = cd.readUInt32LE(p + 20);
    let size = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let offset = cd.readUInt32LE(p + 42);
    const name = cd.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    // ZIP64 extended information extra field (0x0001): only the fields that overflowed, in this order.
    let e = p + 46 + nameLen;
    const extraEnd = Math.min(e + extraLen, cd.length);
    while (e + 4 <= extraEnd) {
      const id = cd.readUInt16LE(e);
      const len = cd.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        const take = (): number => {
          if (q + 8 > e + 4 + len) throw invalid(path, `short ZIP64 field for ${name}`);
          const v = Number(cd.readBigUInt64LE(q));
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = take();
        if (compressed === 0xffffffff) compressed = take();
        if (offset === 0xffffffff) offset = take();
      }
      e += 4 + len;
    }
    out.push({ name, method, compressed, size, offset, flags });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

function inflateCapped(data: Buffer, cap: number): Buffer | { error: string } {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let over = false;
  const inf = new Inflate((chunk) => {
    total += chunk.length;
    if (total > cap) over = true;
    else chunks.push(chunk);
  });
  try {
    const step = 1 << 16;
    for (let i = 0; i < data.length && !over; i += step) inf.push(data.subarray(i, i + step), i + step >= data.length);
  } catch (e) {
    return { error: `corrupt deflate data (${(e as Error).message})` };
  }
  if (over) return { error: `expands past ${cap} bytes` };
  return Buffer.concat(chunks, total);
}

/**
 * Yield every file entry of the archive at `path` whose name `want` accepts.
 * Entries larger than `maxEntrySize` (uncompressed) or otherwise unreadable are
 * yielded with an error instead of data; a file that is not a ZIP is VULNDB_FEED_INVALID.
 */
export async function* zipEntries(
  path: string,
  want: (name: string) => boolean,
  maxEntrySize = 64 * 1024 * 1024,
): AsyncGenerator<ZipEntry> {
  const fh = await open(path, 'r');
  try {
    const { size: fileSize } = await fh.stat();
    const dir = await centralDirectory(fh, path, fileSize);
    const entries = parseCentral(await readAt(fh, dir.offset, dir.size), path);
    for (const ent of entries) {
      if (ent.name.endsWith('/') || !want(ent.name)) continue;
      if (ent.flags & 0x1) {
        yield { name: ent.name, data: { error: 'encrypted entry' } };
        continue;
      }
      if (ent.method !== 0 && ent.method !== 8) {
        yield {
          name: ent.name,
          data: { error: `compression method ${ent.method} (only stored and deflate are read)` },
        };
        continue;
      }
      if (ent.compressed > maxEntrySize || (ent.method === 0 && ent.size > maxEntrySize)) {
        yield { name: ent.name, data: { error: `larger than ${maxEntrySize} bytes` } };
        continue;
      }
      const local = await readAt(fh, ent.offset, 30);
      if (local.length < 30 || local.readUInt32LE(0) !== LOCAL) {
        yield { name: ent.name, data: { error: 'local header missing' } };
        continue;
      }
      const start = ent.offset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      const raw = await readAt(fh, start, ent.compressed);
      if (raw.length < ent.compressed) {
        yield { name: ent.name, data: { error: 'truncated entry' } };
        continue;
      }
      yield { name: ent.name, data: ent.method === 0 ? raw : inflateCapped(raw, maxEntrySize) };
    }
  } finally {
    await fh.close();
  }
}
