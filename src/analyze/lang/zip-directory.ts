/**
 * Reads a zip archive's central directory once and inflates single entries by
 * their local header offset (PKWARE APPNOTE.TXT 6.3.x, sections 4.3.6-4.3.16
 * and 4.5.3 for ZIP64), so that a caller looking at many entries of one
 * archive never parses the directory again per entry.
 */
import { inflateSync } from 'fflate';
import { invalidFile, limitExceeded } from './limits.js';

export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflated; other methods are listed but cannot be read. */
  readonly method: number;
  readonly compressedSize: number;
  /** As the central directory declares it: an upper bound on what `readZipEntry` returns. */
  readonly size: number;
  readonly localHeaderOffset: number;
  readonly encrypted: boolean;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
/** 4.3.16: the end record is 22 bytes plus a comment of at most 65,535. */
const EOCD_SEARCH = 22 + 0xffff;

/**
 * Every entry of the central directory, in directory order. Throws
 * ANALYZE_FILE_INVALID for a file that is not a readable zip and
 * ANALYZE_LIMIT_EXCEEDED when it declares more than `maxEntries` entries.
 */
export function readZipDirectory(bytes: Uint8Array, where: string, maxEntries: number): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (what: string): Error => invalidFile(where, `not a readable zip archive (${what})`);
  let eocd = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - EOCD_SEARCH); at--) {
    if (view.getUint32(at, true) === EOCD_SIG) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw bad('no end of central directory record');
  let count = view.getUint16(eocd + 10, true);
  let cdSize = view.getUint32(eocd + 12, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  // 4.3.14-15: ZIP64 archives keep the real counts in a record found through the locator.
  if ((count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) && eocd >= 20) {
    const loc = eocd - 20;
    if (view.getUint32(loc, true) === ZIP64_LOCATOR_SIG) {
      const rec = toSafe(view.getBigUint64(loc + 8, true));
      if (rec + 56 > bytes.length || view.getUint32(rec, true) !== ZIP64_EOCD_SIG) throw bad('bad ZIP64 end record');
      count = toSafe(view.getBigUint64(rec + 32, true));
      cdSize = toSafe(view.getBigUint64(rec + 40, true));
      cdOffset = toSafe(view.getBigUint64(rec + 48, true));
    }
  }
  if (count > maxEntries) throw limitExceeded(where, `more than ${maxEntries} zip entries`);
  if (cdOffset + cdSize > bytes.length) throw bad('central directory past the end of the file');

  const entries: ZipEntry[] = [];
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== CENTRAL_SIG)
      throw bad(`bad central directory entry ${i}`);
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    let compressedSize = view.getUint32(at + 20, true);
    let size = view.getUint32(at + 24, true);
    const nameLen = view.getUint16(at + 28, true);
    const extraLen = view.getUint16(at + 30, true);
    const commentLen = view.getUint16(at + 32, true);
    let localHeaderOffset = view.getUint32(at + 42, true);
    const nameAt = at + 46;
    const extraAt = nameAt + nameLen;
    const next = extraAt + extraLen + commentLen;
    if (next > bytes.length) throw bad(`central directory entry ${i} runs past the end of the file`);
    // 4.4.4 bit 11: UTF-8 names; otherwise IBM 437, read as Latin-1 (the names matched here are ASCII).
    const name = Buffer.from(bytes.buffer, bytes.byteOffset + nameAt, nameLen).toString(
      flags & 0x800 ? 'utf8' : 'latin1',
    );
    // 4.5.3: the ZIP64 extra field holds, in order, each field whose 32-bit value is all ones.
    if (size === 0xffffffff || compressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
      let x = extraAt;
      while (x + 4 <= extraAt + extraLen) {
        const id = view.getUint16(x, true);
        const len = view.getUint16(x + 2, true);
        if (id === 0x0001) {
          let p = x + 4;
          const take = (): number => {
            if (p + 8 > x + 4 + len) throw bad(`short ZIP64 field in entry ${name}`);
            const v = toSafe(view.getBigUint64(p, true));
            p += 8;
            return v;
          };
          if (size === 0xffffffff) size = take();
          if (compressedSize === 0xffffffff) compressedSize = take();
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
          break;
        }
        x += 4 + len;
      }
    }
    entries.push({ name, method, compressedSize, size, localHeaderOffset, encrypted: (flags & 1) === 1 });
    at = next;
  }
  return entries;
}

/** The content of one entry, inflated into a buffer of its declared size (never more). */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry, where: string): Uint8Array {
  const bad = (what: string): Error => invalidFile(where, `not a readable zip archive (${entry.name}: ${what})`);
  if (entry.encrypted) throw bad('encrypted');
  const at = entry.localHeaderOffset;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (at + 30 > bytes.length || view.getUint32(at, true) !== LOCAL_SIG) throw bad('bad local header');
  // 4.3.7: the local name and extra field lengths may differ from the central directory's.
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  const end = start + entry.compressedSize;
  if (end > bytes.length) throw bad('data past the end of the file');
  const data = bytes.subarray(start, end);
  if (entry.method === 0) return data.subarray(0, entry.size);
  if (entry.method !== 8) throw bad(`compression method ${entry.method}`);
  try {
    return inflateSync(data, { out: new Uint8Array(entry.size) });
  } catch (e) {
    throw invalidFile(
      where,
      `not a readable zip archive (${entry.name}: ${e instanceof Error ? e.message : String(e)})`,
      e,
    );
  }
}

function toSafe(v: bigint): number {
  // Offsets and sizes past 2^53 cannot be in a buffer: they fail the bounds checks as Infinity.
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.POSITIVE_INFINITY : Number(v);
}
