/**
 * Rebuilds a layer's tar from the Docker Engine's own storage, byte for byte,
 * without asking the engine to export it.
 *
 * When the engine (moby, overlay2 graph driver) applies a layer it keeps the
 * tar's metadata in `tar-split.json.gz` (github.com/vbatts/tar-split,
 * tar/storage): one JSON entry per line, either a *segment* (`type` 2: raw tar
 * bytes — headers, PAX records, padding, the end-of-archive blocks — base64 in
 * `payload`) or a *file* (`type` 1: `name` or `name_raw`, `size`; its content
 * is the file of that name in the layer's `diff` directory). Concatenating the
 * segments and the file contents in order reproduces the layer tar exactly,
 * which is how `docker save` itself writes a layer; the caller verifies its
 * SHA-256 against the image's diffID, so any difference (a storage the engine
 * changed, a file edited in place) is a digest mismatch, never silent.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { CustomsError, nodeZlib } from '../core/index.js';
import { releaseChunk, takeChunk } from './chunk-pool.js';

interface SegmentEntry {
  readonly type: 2;
  readonly payload: string | null;
}
interface FileEntry {
  readonly type: 1;
  readonly name?: string;
  readonly name_raw?: string;
  readonly size?: number;
}

function parseEntry(line: string, what: string): SegmentEntry | FileEntry {
  let e: unknown;
  try {
    e = JSON.parse(line);
  } catch (err) {
    throw new CustomsError('IMAGE_FORMAT_INVALID', `${what}: a tar-split line is not JSON`, err);
  }
  const t = (e as { type?: unknown } | null)?.type;
  if (t !== 1 && t !== 2) throw new CustomsError('IMAGE_FORMAT_INVALID', `${what}: a tar-split entry of type ${t}`);
  return e as SegmentEntry | FileEntry;
}

/**
 * Lines of a gzipped tar-split file, as they decompress. A layer's tar-split
 * is tens of MB of JSON once inflated (every header block, base64): inflated
 * in 256 KiB chunks and split here, which costs a third of node:readline's
 * time, without holding the whole text.
 */
async function* lines(path: string): AsyncGenerator<string> {
  let carry = '';
  // Names are UTF-8 in the JSON (tar-split keeps others in base64 `name_raw`); a chunk
  // may end inside a character, which the decoder holds back for the next one.
  const utf8 = new StringDecoder('utf8');
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 }).pipe(
    nodeZlib().createGunzip({ chunkSize: 256 * 1024 }),
  )) {
    const text = carry + utf8.write(chunk as Buffer);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      yield text.slice(start, nl);
      start = nl + 1;
    }
    carry = text.slice(start);
  }
  carry += utf8.end();
  if (carry !== '') yield carry;
}

function fileSize(e: FileEntry, what: string): number {
  const n = e.size ?? 0;
  if (!Number.isSafeInteger(n) || n < 0) throw new CustomsError('IMAGE_FORMAT_INVALID', `${what}: bad size ${n}`);
  return n;
}

/**
 * The two line shapes the engine writes (encoding/json of tar-split's Entry, fields
 * in declaration order: type, name, name_raw, size, payload, position). Measured
 * without JSON.parse: a quote inside a name is escaped (`\\"`), so a name cannot
 * fake `"size":` or `"payload":"`. Any other line is parsed in full.
 */
const SEGMENT_HEAD = '{"type":2,"payload":';
const FILE_HEAD = '{"type":1,';

/** A segment line's payload, read without JSON.parse (base64 has nothing to unescape). */
function segmentPayload(line: string): SegmentEntry | undefined {
  if (!line.startsWith(SEGMENT_HEAD)) return undefined;
  const at = SEGMENT_HEAD.length;
  if (line.startsWith('null', at)) return { type: 2, payload: null };
  const end = line.indexOf('"', at + 1);
  if (line.charCodeAt(at) !== 0x22 || end === -1) return undefined;
  return { type: 2, payload: line.slice(at + 1, end) };
}

/** Length of the tar `tarSplit` describes: its segments plus its files' sizes. */
export async function tarSplitLength(tarSplit: string, what: string): Promise<number> {
  let total = 0;
  for await (const line of lines(tarSplit)) {
    if (line === '') continue;
    if (line.startsWith(SEGMENT_HEAD)) {
      const at = SEGMENT_HEAD.length;
      if (line.startsWith('null', at)) continue;
      const end = line.indexOf('"', at + 1);
      if (line.charCodeAt(at) === 0x22 && end !== -1) {
        const chars = end - at - 1;
        const pad = (line.charCodeAt(end - 1) === 0x3d ? 1 : 0) + (line.charCodeAt(end - 2) === 0x3d ? 1 : 0);
        if (chars % 4 !== 0)
          throw new CustomsError('IMAGE_FORMAT_INVALID', `${what}: tar-split holds a segment that is not base64`);
        total += (chars / 4) * 3 - pad;
        continue;
      }
    } else if (line.startsWith(FILE_HEAD)) {
      const at = line.indexOf('"size":');
      if (at === -1) continue;
      const m = /^\d{1,16}(?=[,}])/.exec(line.slice(at + 7, at + 25));
      if (m) {
        total += Number(m[0]);
        continue;
      }
    }
    const e = parseEntry(line, what);
    if (e.type === 2) total += e.payload ? Buffer.byteLength(e.payload, 'base64') : 0;
    else total += fileSize(e, what);
  }
  if (!Number.isSafeInteger(total)) throw new CustomsError('IMAGE_FORMAT_INVALID', `${what}: tar-split is too long`);
  return total;
}

/**
 * The entry's path inside `diffDir`, as bytes (tar names need not be UTF-8:
 * tar-split keeps those in `name_raw`). A name that climbs out (`..`) is refused;
 * the engine never applies one, so its storage cannot hold one honestly.
 */
function relativeName(e: FileEntry, what: string): Buffer {
  const raw = e.name_raw !== undefined ? Buffer.from(e.name_raw, 'base64') : Buffer.from(e.name ?? '', 'utf8');
  const parts = raw
    .toString('latin1')
    .split('/')
    .filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..'))
    throw new CustomsError(
      'LAYER_PATH_ESCAPE',
      `${what}: tar-split names a file outside the layer (${raw.toString('utf8')})`,
    );
  return Buffer.from(parts.join('/'), 'latin1');
}

/**
 * Streams the layer tar. Files are read with positioned synchronous reads from
 * the page cache (tens of thousands of small files: one open, one fstat and
 * one read each, where the asynchronous API would cost three thread-pool trips
 * per file). Each file is opened without following a final symlink, every
 * directory above it is checked with lstat to be a real directory (so a symlink
 * in the diff directory cannot lead the read out of it), and only regular files
 * are read.
 */
export function tarSplitStream(tarSplit: string, diffDir: string, what: string): Readable {
  const base = Buffer.from(`${diffDir.replace(/\/+$/, '')}/`, 'utf8');
  const realDirs = new Set<string>();
  const checkParents = (rel: Buffer): void => {
    let at = rel.indexOf(0x2f);
    while (at !== -1) {
      const dir = rel.subarray(0, at);
      const key = dir.toString('latin1');
      if (!realDirs.has(key)) {
        const st = lstatSync(Buffer.concat([base, dir]));
        if (!st.isDirectory())
          throw new CustomsError(
            'IMAGE_DIGEST_MISMATCH',
            `${what}: ${dir.toString('utf8')} in ${diffDir} is not a directory, but the layer holds files below it; the engine's storage does not match the layer`,
          );
        realDirs.add(key);
      }
      at = rel.indexOf(0x2f, at + 1);
    }
  };

  async function* chunks(): AsyncGenerator<Buffer> {
    let out = takeChunk();
    let used = 0;
    const flush = (): Buffer => {
      const b = out.subarray(0, used);
      out = takeChunk();
      used = 0;
      return b;
    };
    for await (const line of lines(tarSplit)) {
      if (line === '') continue;
      const e = segmentPayload(line) ?? parseEntry(line, what);
      if (e.type === 2) {
        if (!e.payload) continue;
        const seg = Buffer.from(e.payload, 'base64');
        let off = 0;
        while (off < seg.length) {
          const n = seg.copy(out, used, off);
          off += n;
          used += n;
          if (used === out.length) yield flush();
        }
        continue;
      }
      const size = fileSize(e, what);
      if (size === 0) continue;
      const rel = relativeName(e, what);
      let fd: number;
      try {
        checkParents(rel);
        fd = openSync(Buffer.concat([base, rel]), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      } catch (err) {
        if (err instanceof CustomsError) throw err;
        throw new CustomsError(
          'IMAGE_DIGEST_MISMATCH',
          `${what}: cannot read ${rel.toString('utf8')} from ${diffDir} (${(err as Error).message}); the engine's storage does not match the layer`,
          err,
        );
      }
      try {
        if (!fstatSync(fd).isFile())
          throw new CustomsError(
            'IMAGE_DIGEST_MISMATCH',
            `${what}: ${rel.toString('utf8')} in ${diffDir} is not a regular file; the engine's storage does not match the layer`,
          );
        let left = size;
        let pos = 0;
        while (left > 0) {
          const n = readSync(fd, out, used, Math.min(left, out.length - used), pos);
          if (n === 0)
            throw new CustomsError(
              'IMAGE_DIGEST_MISMATCH',
              `${what}: ${rel.toString('utf8')} in ${diffDir} is shorter than the ${size} bytes the layer holds; the engine's storage does not match the layer`,
            );
          left -= n;
          pos += n;
          used += n;
          if (used === out.length) yield flush();
        }
      } finally {
        closeSync(fd);
      }
    }
    if (used > 0) yield flush();
    releaseChunk(out);
  }
  // The chunks are pooled read buffers (chunk-pool.ts): one is rebuilt while the walk reads the last.
  return Readable.from(chunks(), { objectMode: false, highWaterMark: 1 });
}
