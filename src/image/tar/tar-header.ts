import { CustomsError } from '../../core/index.js';

/**
 * Tar header decoding: POSIX ustar (pax extended headers, global headers),
 * star, GNU (long names 'L', long link names 'K', base-256 numbers) and v7.
 * See POSIX.1-2017 pax(1) "ustar Interchange Format" and "pax Header Block".
 *
 * Container runtimes read layers with Go's archive/tar (Docker, containerd,
 * BuildKit), so where formats leave room for readings, this module reads a
 * header the way archive/tar does: a header it would reject is LAYER_CORRUPT
 * here too, and a header it accepts yields the same name, size and type.
 */

export const BLOCK = 512;

export const ENTRY_TYPES = {
  file: 'file',
  hardlink: 'hardlink',
  symlink: 'symlink',
  dir: 'dir',
  other: 'other',
} as const;
export type EntryType = (typeof ENTRY_TYPES)[keyof typeof ENTRY_TYPES];

/** v7 (no magic), POSIX ustar/pax, star (ustar magic + "tar\0" trailer), GNU ("ustar  \0"). */
export type TarFormat = 'v7' | 'ustar' | 'star' | 'gnu';

export interface RawHeader {
  readonly name: string;
  readonly linkname: string;
  readonly size: number;
  readonly mode: number;
  /** The raw typeflag byte as a character. */
  readonly typeflag: string;
  readonly format: TarFormat;
}

/** Bytes up to the first NUL (archive/tar parseString). */
function fieldString(buf: Buffer, start: number, len: number): string {
  const end = buf.indexOf(0, start);
  const stop = end === -1 || end > start + len ? start + len : end;
  return buf.toString('utf8', start, stop);
}

function isAscii(buf: Buffer, start: number, len: number): boolean {
  for (let i = start; i < start + len; i++) if ((buf[i] ?? 0) >= 0x80) return false;
  return true;
}

/** A numeric field that does not parse: archive/tar rejects the whole header. */
class BadNumber extends Error {}

/**
 * Octal field as archive/tar reads it: leading and trailing spaces and NULs
 * trimmed, then the text up to the next NUL; empty is 0. Read byte by byte
 * (every header has eight or more of these fields, and a layer tens of
 * thousands of headers); the text is decoded only to name a bad field.
 */
function parseOctal(buf: Buffer, start: number, len: number): number {
  let a = start;
  let b = start + len;
  while (a < b && (buf[a] === 0x20 || buf[a] === 0)) a++;
  while (b > a && (buf[b - 1] === 0x20 || buf[b - 1] === 0)) b--;
  let value = 0;
  for (let i = a; i < b; i++) {
    const c = buf[i] as number;
    if (c === 0) break;
    if (c < 0x30 || c > 0x37) throw new BadNumber(`"${fieldString(buf, a, b - a)}" is not an octal number`);
    value = value * 8 + (c - 0x30);
  }
  if (!Number.isSafeInteger(value)) throw new BadNumber(`${fieldString(buf, a, b - a)} is too large`);
  return value;
}

/** Numeric header field: octal text, or base-256 when the high bit of the first byte is set. */
export function parseNumeric(buf: Buffer, start: number, len: number): number {
  const first = buf[start] ?? 0;
  if (first & 0x80) {
    // GNU base-256: big-endian two's complement, the first byte's high bit is the flag.
    // Negative values parse (archive/tar only refuses a negative size where a body is read).
    const negative = (first & 0x40) !== 0;
    const inv = negative ? 0xff : 0;
    let value = (first ^ inv) & 0x7f;
    for (let i = start + 1; i < start + len; i++) {
      value = value * 256 + ((buf[i] ?? 0) ^ inv);
      if (value > Number.MAX_SAFE_INTEGER) throw new BadNumber('number too large');
    }
    return negative ? -value - 1 : value;
  }
  return parseOctal(buf, start, len);
}

/** The checksum field's place: it is summed as eight spaces. */
const CHKSUM_START = 148;
const CHKSUM_END = 156;

function checksumOk(block: Buffer): boolean {
  let stored: number;
  try {
    stored = parseOctal(block, CHKSUM_START, CHKSUM_END - CHKSUM_START);
  } catch {
    return false;
  }
  let unsigned = 0x20 * (CHKSUM_END - CHKSUM_START);
  let high = 0;
  for (let i = 0; i < CHKSUM_START; i++) {
    const b = block[i] as number;
    unsigned += b;
    if (b > 127) high++;
  }
  for (let i = CHKSUM_END; i < BLOCK; i++) {
    const b = block[i] as number;
    unsigned += b;
    if (b > 127) high++;
  }
  // Historic tar implementations summed signed bytes; accept both.
  return stored === unsigned || stored === unsigned - 256 * high;
}

/** A NUL-terminated string (GNU long-name bodies). */
export function cString(b: Buffer): string {
  const z = b.indexOf(0);
  return b.toString('utf8', 0, z === -1 ? b.length : z);
}

export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

/** True when `block` holds `text` (ASCII) at `at`. */
function bytesAre(block: Buffer, at: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (block[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

function formatOf(block: Buffer): TarFormat {
  if (bytesAre(block, 257, 'ustar\0')) return bytesAre(block, 508, 'tar\0') ? 'star' : 'ustar';
  if (bytesAre(block, 257, 'ustar  \0')) return 'gnu';
  return 'v7';
}

export function decodeHeader(block: Buffer): RawHeader {
  if (!checksumOk(block)) {
    throw new CustomsError('LAYER_CORRUPT', 'tar header checksum does not match (not a tar stream, or corrupt)');
  }
  const format = formatOf(block);
  let name = fieldString(block, 0, 100);
  try {
    const mode = parseNumeric(block, 100, 8);
    parseNumeric(block, 108, 8); // uid
    parseNumeric(block, 116, 8); // gid
    const size = parseNumeric(block, 124, 12);
    parseNumeric(block, 136, 12); // mtime
    let prefix = '';
    if (format !== 'v7') {
      parseNumeric(block, 329, 8); // devmajor
      parseNumeric(block, 337, 8); // devminor
    }
    if (format === 'ustar') prefix = fieldString(block, 345, 155);
    else if (format === 'star') {
      // star keeps atime and ctime after a 131-byte prefix.
      prefix = fieldString(block, 345, 131);
      parseNumeric(block, 476, 12);
      parseNumeric(block, 488, 12);
    } else if (format === 'gnu') {
      // GNU headers have no prefix; atime and ctime sit there. Old Go writers put a
      // ustar prefix in GNU headers, so archive/tar takes the field as a prefix when
      // those times do not parse and it is ASCII (golang.org/issue/12594, /21005).
      try {
        if (block[345] !== 0) parseNumeric(block, 345, 12);
        if (block[357] !== 0) parseNumeric(block, 357, 12);
      } catch (e) {
        if (!(e instanceof BadNumber)) throw e;
        const z = block.indexOf(0, 345);
        const len = z === -1 || z > 500 ? 155 : z - 345;
        if (isAscii(block, 345, len)) prefix = fieldString(block, 345, 155);
      }
    }
    if (prefix) name = `${prefix}/${name}`;
    return {
      name,
      linkname: fieldString(block, 157, 100),
      size,
      mode,
      typeflag: String.fromCharCode(block[156] ?? 0),
      format,
    };
  } catch (e) {
    if (e instanceof BadNumber)
      throw new CustomsError('LAYER_CORRUPT', `tar header of "${name}" has a bad numeric field: ${e.message}`);
    throw e;
  }
}

/** Types that never carry a body, whatever their size field says (archive/tar isHeaderOnlyType). */
const HEADER_ONLY = new Set(['1', '2', '3', '4', '5', '6']);

export function isHeaderOnly(typeflag: string): boolean {
  return HEADER_ONLY.has(typeflag);
}

export function entryType(typeflag: string): EntryType {
  switch (typeflag) {
    case '0':
    case '\0':
    case '7':
      return 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '5':
      return 'dir';
    default:
      return 'other';
  }
}

const GNU_SPARSE_OFFSET = 'GNU.sparse.offset';
const GNU_SPARSE_NUMBYTES = 'GNU.sparse.numbytes';
export const GNU_SPARSE_MAP = 'GNU.sparse.map';

/** A decimal integer as Go's strconv.ParseInt(s, 10, 64) reads it (sign allowed), or undefined. */
export function parseDecimal(s: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Parse pax extended header records: "LEN key=value\n" (pax(1)). Every record
 * must be well formed, as archive/tar requires: a decimal length of at least 5
 * that ends on a newline, a non-empty key without "=", no NUL in a path. GNU
 * sparse 0.0 records (repeated GNU.sparse.offset / numbytes pairs) are folded
 * into one GNU.sparse.map record, in order.
 */
export function parsePax(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  const sparse: string[] = [];
  let pos = 0;
  const bad = (why: string): never => {
    throw new CustomsError('LAYER_CORRUPT', `pax extended header record at byte ${pos} is malformed: ${why}`);
  };
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space === -1) bad('no length');
    const len = parseDecimal(data.toString('latin1', pos, space));
    if (len === undefined || len < 5 || pos + len > data.length || pos + len <= space + 1) bad('bad length');
    const end = pos + (len as number);
    if (data[end - 1] !== 0x0a) bad('no newline at its end');
    const record = data.toString('utf8', space + 1, end - 1);
    const eq = record.indexOf('=');
    if (eq <= 0) bad('no key');
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    const pathLike = key === 'path' || key === 'linkpath' || key === 'uname' || key === 'gname';
    if ((pathLike ? value : key).includes('\0')) bad('NUL byte');
    if (key === GNU_SPARSE_OFFSET || key === GNU_SPARSE_NUMBYTES) {
      const want = sparse.length % 2 === 0 ? GNU_SPARSE_OFFSET : GNU_SPARSE_NUMBYTES;
      if (key !== want || value.includes(',')) bad('GNU sparse records out of order');
      sparse.push(value);
    } else out.set(key, value);
    pos = end;
  }
  if (sparse.length > 0) out.set(GNU_SPARSE_MAP, sparse.join(','));
  return out;
}
