/**
 * Test helper: builds tar streams block by block, including broken and
 * hostile ones (bad checksums, truncation, climbing names, pax global
 * headers, GNU long names, sparse files) that no ordinary tar tool writes.
 */
import { Readable } from 'node:stream';

export interface FixtureEntry {
  readonly name: string;
  /**
   * The typeflag byte: '0' file, '1' hard link, '2' symlink, '3'/'4' devices,
   * '5' dir, '6' fifo, 'x' pax, 'g' pax global, 'L'/'K' GNU long name/link,
   * '\0' old-style file; any other character is written as is.
   */
  readonly type?: string;
  readonly body?: string | Buffer;
  readonly linkname?: string;
  readonly mode?: number;
  /** The size field, when it must differ from the body's length (e.g. a fifo that claims a body). */
  readonly size?: number;
  /** Magic of the header: POSIX ustar (default), GNU ("ustar  \0"), v7 (none) or star (ustar + "tar\0" trailer). */
  readonly format?: 'ustar' | 'gnu' | 'v7' | 'star';
  /** The ustar prefix field (155 bytes; 131 in star headers), written as is. */
  readonly prefix?: string;
  /** Bytes written at offset 476 of the header (star's atime/ctime, GNU's sparse area). */
  readonly tail?: string;
  /** Store the size as GNU base-256 instead of octal. */
  readonly base256?: boolean;
  /** Raw header bytes written last (before the checksum): [offset, latin1 text] pairs, e.g. odd numeric fields. */
  readonly fields?: readonly (readonly [number, string])[];
  readonly badChecksum?: boolean;
}

function header(e: FixtureEntry, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(e.name.slice(0, 100), 0, 'utf8');
  h.write(`${(e.mode ?? 0o644).toString(8).padStart(7, '0')}\0`, 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  if (e.base256) {
    h[124] = 0x80;
    h.writeUIntBE(size, 124 + 12 - 6, 6);
  } else h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.write(e.type ?? '0', 156, 'latin1');
  if (e.linkname) h.write(e.linkname.slice(0, 100), 157, 'utf8');
  const format = e.format ?? 'ustar';
  if (format === 'ustar' || format === 'star') {
    h.write('ustar\0', 257, 'latin1');
    h.write('00', 263, 'latin1');
  } else if (format === 'gnu') h.write('ustar  \0', 257, 'latin1');
  if (e.prefix) h.write(e.prefix, 345, 155, 'utf8');
  if (e.tail) h.write(e.tail, 476, 508 - 476, 'latin1');
  if (format === 'star') h.write('tar\0', 508, 'latin1');
  for (const [offset, text] of e.fields ?? []) h.write(text, offset, 'latin1');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  if (e.badChecksum) sum += 1;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

/** Bytes of a tar archive holding `entries`, with the end-of-archive marker unless `end` is false. */
export function tarBytes(entries: readonly FixtureEntry[], end = true): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const body = typeof e.body === 'string' ? Buffer.from(e.body) : (e.body ?? Buffer.alloc(0));
    parts.push(header(e, e.size ?? body.length), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  if (end) parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** pax(1) extended header records: "LEN key=value\n" each. */
export function paxRecords(records: Record<string, string>): string {
  let body = '';
  for (const [k, v] of Object.entries(records)) {
    const rec = ` ${k}=${v}\n`;
    const bytes = Buffer.byteLength(rec);
    let len = bytes + 1;
    while (String(len).length + bytes !== len) len = String(len).length + bytes;
    body += `${len}${rec}`;
  }
  return body;
}

/** A pax extended header entry ('x') whose records apply to the next entry only. */
export function paxEntry(records: Record<string, string>): FixtureEntry {
  return { name: 'PaxHeader', type: 'x', body: paxRecords(records) };
}

/** A pax global header entry ('g'). */
export function paxGlobalEntry(records: Record<string, string>): FixtureEntry {
  return { name: 'pax_global_header', type: 'g', body: paxRecords(records) };
}

/** A GNU long name ('L') or long link name ('K') entry for the next entry. */
export function gnuLongEntry(kind: 'L' | 'K', value: string): FixtureEntry {
  return { name: '././@LongLink', type: kind, body: `${value}\0`, format: 'gnu' };
}

/**
 * A GNU sparse file in pax format 1.0 (what `tar --sparse --format=pax` writes):
 * the pax header names the real file and size, and the body starts with the
 * sparse map (count, then offset/length pairs, one number a line, padded to a
 * block) followed by the data fragments. `fragments` are [offset, data] pairs.
 */
export function paxSparseEntries(
  name: string,
  realSize: number,
  fragments: readonly (readonly [number, string])[],
): FixtureEntry[] {
  const map = `${[fragments.length, ...fragments.flatMap(([off, data]) => [off, Buffer.byteLength(data)])].join('\n')}\n`;
  const mapBytes = Buffer.alloc(Math.ceil(Buffer.byteLength(map) / 512) * 512);
  mapBytes.write(map, 'latin1');
  const body = Buffer.concat([mapBytes, ...fragments.map(([, data]) => Buffer.from(data))]);
  const base = name.split('/').pop() ?? name;
  return [
    paxEntry({
      'GNU.sparse.major': '1',
      'GNU.sparse.minor': '0',
      'GNU.sparse.name': name,
      'GNU.sparse.realsize': String(realSize),
    }),
    { name: `GNUSparseFile.0/${base}`, body },
  ];
}

/** Stream a buffer in small chunks so block boundaries fall inside chunks. */
export function chunked(buf: Buffer, size = 100): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) chunks.push(buf.subarray(i, i + size));
  return Readable.from(chunks);
}
