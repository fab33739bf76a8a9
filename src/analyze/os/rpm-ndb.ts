import { CustomsError } from '../../core/index.js';
import { blobBudget, checkPackageCount, craftedDatabase, type DecodeBudget } from './rpm-budget.js';

/**
 * rpm's "ndb" backend (lib/backend/ndb/rpmpkg.c, rpm ≥ 4.16; SUSE's
 * Packages.db). All integers little-endian.
 *   header (32 bytes): 'RpmP' magic, version (0), generation, slot page count, next pkg index
 *   slot pages (4096 bytes each, the header taking the first two 16-byte slots):
 *     slot: 'Slot' magic, pkgidx (0 = free), block offset, block count (blocks of 16 bytes)
 *   blob at blkoff*16: 'BlbS' magic, pkgidx, generation, blob length, then the header blob,
 *   zero padding, and a tail of 12 bytes ending the last block: adler32 of everything
 *   before it in the block run (head, blob, padding), blob length, 'BlbE' magic.
 */
const MAGIC_PKGDB = 0x506d7052; // 'RpmP'
const MAGIC_SLOT = 0x746f6c53; // 'Slot'
const MAGIC_BLOB_HEAD = 0x53626c42; // 'BlbS'
const MAGIC_BLOB_TAIL = 0x45626c42; // 'BlbE'
const PAGE_SIZE = 4096;
const SLOT_SIZE = 16;
const BLK_SIZE = 16;
const HEADER_SIZE = 32;
const BLOB_HEAD_SIZE = 16;
const BLOB_TAIL_SIZE = 12;

export function isNdb(bytes: Buffer): boolean {
  return bytes.length >= HEADER_SIZE && bytes.readUInt32LE(0) === MAGIC_PKGDB;
}

function corrupt(source: string, why: string): CustomsError {
  return new CustomsError('ANALYZE_FILE_INVALID', `${source}: ${why}; the RPM ndb database (Packages.db) is corrupt`);
}

interface Slot {
  readonly pkgidx: number;
  readonly blkoff: number;
  readonly blkcnt: number;
}

/**
 * The header blobs of an ndb database, in slot order. Structure rpm's
 * rpmpkg.c itself refuses is refused here before any blob is read: a package
 * index in two slots ("two slots with our pkgid") and block runs that overlap
 * ("slots overlap"). Without that, 16,382 slots could name one large blob and
 * cost 16,382 checksums and header parses; with it every blob byte is read
 * once, and the blob budget and package cap (rpm-budget.ts) hold.
 */
export function readNdbRpmdb(bytes: Buffer, source: string): Buffer[] {
  if (!isNdb(bytes)) throw corrupt(source, "no 'RpmP' magic at offset 0");
  const version = bytes.readUInt32LE(4);
  if (version !== 0) throw corrupt(source, `unsupported ndb version ${version}`);
  const slotPages = bytes.readUInt32LE(12);
  if (slotPages === 0 || slotPages * PAGE_SIZE > bytes.length) {
    throw corrupt(source, `${slotPages} slot pages do not fit in ${bytes.length} bytes`);
  }
  const end = slotPages * PAGE_SIZE;
  const slots: Slot[] = [];
  for (let off = HEADER_SIZE; off < end; off += SLOT_SIZE) {
    const magic = bytes.readUInt32LE(off);
    if (magic !== MAGIC_SLOT) throw corrupt(source, `bad slot magic at offset ${off}`);
    const pkgidx = bytes.readUInt32LE(off + 4);
    if (pkgidx === 0) continue; // free slot
    checkPackageCount(source, slots.length);
    slots.push({ pkgidx, blkoff: bytes.readUInt32LE(off + 8), blkcnt: bytes.readUInt32LE(off + 12) });
  }
  const seen = new Set<number>();
  for (const s of slots) {
    if (seen.has(s.pkgidx)) throw craftedDatabase(source, `package ${s.pkgidx} has two slots in the ndb database`);
    seen.add(s.pkgidx);
  }
  const byOffset = [...slots].sort((a, b) => a.blkoff - b.blkoff);
  let runEnd = end / BLK_SIZE;
  for (const s of byOffset) {
    if (s.blkoff < runEnd) {
      throw craftedDatabase(
        source,
        `package ${s.pkgidx}'s blocks ${s.blkoff}+${s.blkcnt} overlap another package's or the slot pages in the ndb database`,
      );
    }
    runEnd = s.blkoff + s.blkcnt;
  }
  const budget = blobBudget(source, bytes.length);
  return slots.map((s) => readBlob(bytes, source, s, budget));
}

/** One blob: head, data, padding and tail exactly filling its block run, adler32 checked. */
function readBlob(bytes: Buffer, source: string, slot: Slot, budget: DecodeBudget): Buffer {
  const { pkgidx, blkoff, blkcnt } = slot;
  const start = blkoff * BLK_SIZE;
  const runBytes = blkcnt * BLK_SIZE;
  if (start + runBytes > bytes.length || runBytes < BLOB_HEAD_SIZE + BLOB_TAIL_SIZE) {
    throw corrupt(source, `package ${pkgidx} points at blocks ${blkoff}+${blkcnt} outside the file`);
  }
  if (bytes.readUInt32LE(start) !== MAGIC_BLOB_HEAD || bytes.readUInt32LE(start + 4) !== pkgidx) {
    throw corrupt(source, `package ${pkgidx}: no blob header at offset ${start}`);
  }
  const len = bytes.readUInt32LE(start + 12);
  // rpmpkg.c rpmpkgReadBlob: the run is exactly the blocks head + blob + tail need.
  if (blkcnt !== Math.ceil((BLOB_HEAD_SIZE + len + BLOB_TAIL_SIZE) / BLK_SIZE)) {
    throw corrupt(source, `package ${pkgidx}: blob of ${len} bytes does not fill its ${blkcnt} blocks`);
  }
  budget.spend(len, `package ${pkgidx}'s ${len}-byte blob`);
  const dataEnd = start + BLOB_HEAD_SIZE + len;
  const blob = bytes.subarray(start + BLOB_HEAD_SIZE, dataEnd);
  const tail = start + runBytes - BLOB_TAIL_SIZE;
  if (bytes.readUInt32LE(tail + 8) !== MAGIC_BLOB_TAIL || bytes.readUInt32LE(tail + 4) !== len) {
    throw corrupt(source, `package ${pkgidx}: blob tail is missing or does not match (truncated write?)`);
  }
  if (adler32(bytes.subarray(start, tail)) !== bytes.readUInt32LE(tail)) {
    throw corrupt(source, `package ${pkgidx}: blob checksum mismatch`);
  }
  return blob;
}

/** RFC 1950 §8.2 Adler-32. */
function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  const MOD = 65521;
  for (let i = 0; i < data.length; ) {
    const n = Math.min(i + 3800, data.length); // keep sums below 2^31 before reducing
    for (; i < n; i++) {
      a += data[i] as number;
      b += a;
    }
    a %= MOD;
    b %= MOD;
  }
  return ((b << 16) | a) >>> 0;
}
