/**
 * Test helper: builds tar streams block by block, including broken ones
 * (bad checksums, truncation, hostile names) that no real tar tool writes.
 */
import { Readable } from 'node:stream';

export interface FixtureEntry {
  readonly name: string;
  readonly type?: '0' | '1' | '2' | '5' | 'x' | 'L';
  readonly body?: string | Buffer;
  readonly linkname?: string;
  readonly mode?: number;
  /** Store the size as GNU base-256 instead of octal. */
  readonly base256?: boolean;
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
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
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
    parts.push(header(e, body.length), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  if (end) parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** A pax extended header entry setting `path` (and optionally `linkpath`) for the next entry. */
export function paxEntry(records: Record<string, string>): FixtureEntry {
  let body = '';
  for (const [k, v] of Object.entries(records)) {
    const rec = ` ${k}=${v}\n`;
    let len = rec.length + 1;
    while (String(len).length + rec.length !== len) len = String(len).length + rec.length;
    body += `${len}${rec}`;
  }
  return { name: 'PaxHeader', type: 'x', body };
}

/** Stream a buffer in small chunks so block boundaries fall inside chunks. */
export function chunked(buf: Buffer, size = 100): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) chunks.push(buf.subarray(i, i + size));
  return Readable.from(chunks);
}
