import { CustomsError } from '../../core/index.js';
import { blobBudget, checkPackageCount, craftedDatabase } from './rpm-budget.js';

/**
 * Berkeley DB hash databases, as rpm's bdb backend wrote `Packages` (RHEL ≤ 8,
 * CentOS 7, Amazon Linux 2). Layout per Berkeley DB 5.3's dbinc/db_page.h:
 *   page 0, hash metadata (HMETA): magic 0x061561 at offset 12 (its byte order
 *   is the database's), pagesize at 20, type P_HASHMETA (8) at 25, last_pgno at 32;
 *   every page: header of 26 bytes (pgno 8, prev 12, next_pgno 16, entries 20,
 *   hf_offset 22, level 24, type 25), then `entries` 16-bit item offsets;
 *   hash pages (P_HASH 13, P_HASH_UNSORTED 2) hold key/data pairs; an item is
 *   H_KEYDATA (1: the bytes follow; its length runs to the previous item's
 *   offset, or the page end for the first) or H_OFFPAGE (3: pgno at +4, total
 *   length at +8) whose bytes sit in a chain of P_OVERFLOW (7) pages, each
 *   holding hf_offset bytes after its header.
 * We read every hash page in page order (no bucket arithmetic needed: free
 * pages have type P_INVALID). rpm keys Packages by header number; key 0 is
 * rpm's record counter, not a header.
 * A hash database never shares overflow pages between items (only btree
 * databases reference-count them), so an overflow page reached twice, from
 * one chain or two, is refused: every page is then copied at most once, the
 * chains' total length is bounded by the file, and loops end at once. Without
 * that, thousands of items naming one long chain decode to gigabytes.
 */
const HASH_MAGIC = 0x061561;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASHMETA = 8;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_OFFPAGE = 3;
const PAGE_HEADER = 26;

export function bdbByteOrder(bytes: Buffer): 'le' | 'be' | undefined {
  if (bytes.length < 512) return undefined;
  if (bytes.readUInt32LE(12) === HASH_MAGIC) return 'le';
  if (bytes.readUInt32BE(12) === HASH_MAGIC) return 'be';
  return undefined;
}

function corrupt(source: string, why: string): CustomsError {
  return new CustomsError('ANALYZE_FILE_INVALID', `${source}: ${why}; the RPM Berkeley DB (Packages) is corrupt`);
}

export function readBdbRpmdb(bytes: Buffer, source: string): Buffer[] {
  const order = bdbByteOrder(bytes);
  if (!order) throw corrupt(source, 'no Berkeley DB hash magic at offset 12');
  const u32 = (off: number): number => (order === 'le' ? bytes.readUInt32LE(off) : bytes.readUInt32BE(off));
  const u16 = (off: number): number => (order === 'le' ? bytes.readUInt16LE(off) : bytes.readUInt16BE(off));
  const pageSize = u32(20);
  // Berkeley DB page sizes are powers of two from 512 to 64 KiB.
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    throw corrupt(source, `page size ${pageSize} is not a power of two between 512 and 65536`);
  }
  if (bytes[25] !== P_HASHMETA) throw corrupt(source, 'page 0 is not a hash metadata page');
  if (bytes[24] !== 0) {
    // encrypt_alg (offset 24): encrypted databases cannot be read without the key.
    throw corrupt(source, 'the database is encrypted');
  }
  const pages = Math.floor(bytes.length / pageSize);
  const lastPgno = u32(32);
  if (lastPgno >= pages)
    throw corrupt(source, `metadata says ${lastPgno + 1} pages but the file holds ${pages} (truncated?)`);

  const budget = blobBudget(source, bytes.length);
  /** Pages already copied out of some overflow chain. */
  const claimed = new Uint8Array(lastPgno + 1);
  const overflow = (first: number, total: number): Buffer => {
    budget.spend(total, `an overflow item of ${total} bytes`);
    // Berkeley DB fills every overflow page but the last (db_overflow.c __db_poff).
    const maxPages = Math.ceil(total / (pageSize - PAGE_HEADER));
    const out = Buffer.allocUnsafe(total);
    let got = 0;
    let pgno = first;
    for (let n = 0; got < total; n++) {
      if (pgno === 0 || pgno > lastPgno) throw corrupt(source, `overflow chain breaks at page ${pgno}`);
      if (claimed[pgno] === 1) {
        throw craftedDatabase(source, `overflow page ${pgno} is reached twice (a looping or shared overflow chain)`);
      }
      if (n >= maxPages) throw corrupt(source, `an overflow chain of ${total} bytes runs past ${maxPages} pages`);
      claimed[pgno] = 1;
      const p = pgno * pageSize;
      if (bytes[p + 25] !== P_OVERFLOW)
        throw corrupt(source, `page ${pgno} in an overflow chain is not an overflow page`);
      const len = u16(p + 22);
      if (PAGE_HEADER + len > pageSize || got + len > total)
        throw corrupt(source, `overflow page ${pgno} holds ${len} bytes`);
      bytes.copy(out, got, p + PAGE_HEADER, p + PAGE_HEADER + len);
      got += len;
      pgno = u32(p + 16);
    }
    return out;
  };

  /** An item of a hash page: the bytes it stands for. */
  const item = (p: number, entries: number, i: number): { key: Buffer; inline: boolean } => {
    const off = u16(p + PAGE_HEADER + i * 2);
    const end = i === 0 ? pageSize : u16(p + PAGE_HEADER + (i - 1) * 2);
    if (off < PAGE_HEADER + entries * 2 || off >= end || end > pageSize)
      throw corrupt(source, `hash page ${p / pageSize} has an item at a bad offset`);
    const type = bytes[p + off];
    if (type === H_KEYDATA) return { key: bytes.subarray(p + off + 1, p + end), inline: true };
    if (type === H_OFFPAGE) {
      if (off + 12 > end) throw corrupt(source, `hash page ${p / pageSize} has a short off-page item`);
      return {
        key: overflow(u32(p + off + 4), u32(p + off + 8)),
        inline: false,
      };
    }
    throw corrupt(source, `hash page ${p / pageSize} has an item of type ${type} (duplicates are not used by rpm)`);
  };

  const blobs: Buffer[] = [];
  for (let pgno = 1; pgno <= lastPgno; pgno++) {
    const p = pgno * pageSize;
    const type = bytes[p + 25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    const entries = u16(p + 20);
    if (entries % 2 !== 0 || PAGE_HEADER + entries * 2 > pageSize)
      throw corrupt(source, `hash page ${pgno} has ${entries} items`);
    for (let i = 0; i < entries; i += 2) {
      const key = item(p, entries, i).key;
      const { key: value, inline } = item(p, entries, i + 1);
      // rpm's header numbers are 4-byte integers; 0 is its counter record.
      if (key.length === 4 && key.readUInt32LE(0) === 0) continue;
      checkPackageCount(source, blobs.length);
      if (inline) budget.spend(value.length, `an item of ${value.length} bytes`);
      blobs.push(inline ? Buffer.from(value) : value);
    }
  }
  return blobs;
}
