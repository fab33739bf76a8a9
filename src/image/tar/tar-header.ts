import { CustomsError } from '../../core/index.js';

/**
 * Tar header decoding: POSIX ustar (pax extended headers, global headers)
 * and the GNU extensions Docker and BuildKit emit (long names 'L', long link
 * names 'K', base-256 numbers). See POSIX.1-2017 pax(1) "ustar Interchange
 * Format" and "pax Header Block".
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

export interface RawHeader {
  readonly name: string;
  readonly linkname: string;
  readonly size: number;
  readonly mode: number;
  /** The raw typeflag byte as a character. */
  readonly typeflag: string;
}

function cstring(buf: Buffer, start: number, len: number): string {
  const end = buf.indexOf(0, start);
  const stop = end === -1 || end > start + len ? start + len : end;
  return buf.toString('utf8', start, stop);
}

/** Numeric header field: octal text, or base-256 when the high bit of the first byte is set. */
export function parseNumeric(buf: Buffer, start: number, len: number): number {
  const first = buf[start] ?? 0;
  if (first & 0x80) {
    // GNU base-256: big-endian two's complement, first byte's high bit is the flag.
    let value = first & 0x7f;
    if (first & 0x40) throw new CustomsError('LAYER_CORRUPT', 'tar header holds a negative number');
    for (let i = start + 1; i < start + len; i++) {
      value = value * 256 + (buf[i] ?? 0);
      if (value > Number.MAX_SAFE_INTEGER) throw new CustomsError('LAYER_CORRUPT', 'tar header number is too large');
    }
    return value;
  }
  const text = cstring(buf, start, len).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text))
    throw new CustomsError('LAYER_CORRUPT', `tar header field "${text}" is not an octal number`);
  return Number.parseInt(text, 8);
}

function checksumOk(block: Buffer): boolean {
  const stored = parseNumeric(block, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  // Historic tar implementations summed signed bytes; accept both.
  return stored === unsigned || stored === signed;
}

/** A NUL-terminated string (GNU long-name bodies, header fields). */
export function cString(b: Buffer): string {
  const z = b.indexOf(0);
  return b.toString('utf8', 0, z === -1 ? b.length : z);
}

export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

export function decodeHeader(block: Buffer): RawHeader {
  if (!checksumOk(block)) {
    throw new CustomsError('LAYER_CORRUPT', 'tar header checksum does not match (not a tar stream, or corrupt)');
  }
  let name = cstring(block, 0, 100);
  const magic = block.toString('latin1', 257, 263);
  // ustar (POSIX "ustar\0") carries a 155-byte prefix; GNU ("ustar  ") does not.
  if (magic === 'ustar\0') {
    const prefix = cstring(block, 345, 155);
    if (prefix) name = `${prefix}/${name}`;
  }
  return {
    name,
    linkname: cstring(block, 157, 100),
    size: parseNumeric(block, 124, 12),
    mode: parseNumeric(block, 100, 8),
    typeflag: String.fromCharCode(block[156] ?? 0),
  };
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

/** Parse pax extended header records: "LEN key=value\n" (pax(1)). */
export function parsePax(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space === -1) break;
    const len = Number.parseInt(data.toString('latin1', pos, space), 10);
    if (!Number.isFinite(len) || len <= 0 || pos + len > data.length) {
      throw new CustomsError('LAYER_CORRUPT', 'pax extended header record has a bad length');
    }
    const record = data.toString('utf8', space + 1, pos + len - 1);
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    pos += len;
  }
  return out;
}
