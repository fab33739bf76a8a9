/**
 * A minimal ustar writer (POSIX.1-1988 ustar, as in pax(1) "ustar Interchange
 * Format"): 512-byte headers, octal numeric fields, name split into prefix (155)
 * and name (100), data padded to 512 bytes, two zero blocks at the end.
 * Enough for the demo image's layers; owner root:root, fixed modes.
 */

export type TarEntry =
  | { readonly path: string; readonly type: 'file'; readonly data: Uint8Array; readonly mtime: number }
  | { readonly path: string; readonly type: 'dir'; readonly mtime: number }
  | { readonly path: string; readonly type: 'symlink'; readonly target: string; readonly mtime: number };

const BLOCK = 512;

function putString(buf: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length) throw new Error(`tar field too long (${length}): ${value}`);
  bytes.copy(buf, offset);
}

/** Octal, zero-padded, NUL-terminated, as ustar numeric fields are. */
function putOctal(buf: Buffer, offset: number, length: number, value: number): void {
  putString(buf, offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
}

/** Split a path into ustar's prefix and name fields. */
function splitName(path: string): { prefix: string; name: string } {
  if (Buffer.byteLength(path) <= 100) return { prefix: '', name: path };
  const cut = path.lastIndexOf('/', path.length - 2);
  const prefix = path.slice(0, cut);
  const name = path.slice(cut + 1);
  if (cut <= 0 || Buffer.byteLength(prefix) > 155 || Buffer.byteLength(name) > 100) {
    throw new Error(`path too long for ustar: ${path}`);
  }
  return { prefix, name };
}

function header(entry: TarEntry, size: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  const { prefix, name } = splitName(entry.path);
  putString(h, 0, 100, name);
  putOctal(h, 100, 8, entry.type === 'file' ? 0o644 : entry.type === 'dir' ? 0o755 : 0o777);
  putOctal(h, 108, 8, 0); // uid
  putOctal(h, 116, 8, 0); // gid
  putOctal(h, 124, 12, size);
  putOctal(h, 136, 12, entry.mtime);
  h.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  putString(h, 156, 1, entry.type === 'file' ? '0' : entry.type === 'dir' ? '5' : '2');
  if (entry.type === 'symlink') putString(h, 157, 100, entry.target);
  putString(h, 257, 6, 'ustar\0');
  putString(h, 263, 2, '00');
  putString(h, 265, 32, 'root');
  putString(h, 297, 32, 'root');
  putString(h, 345, 155, prefix);
  let sum = 0;
  for (const b of h) sum += b;
  putString(h, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

/** The whole archive in memory (demo layers are a few kilobytes). */
export function tarArchive(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = e.type === 'file' ? Buffer.from(e.data) : Buffer.alloc(0);
    parts.push(header(e, data.length), data);
    const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
