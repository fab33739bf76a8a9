/**
 * A minimal tar writer: POSIX ustar headers, with a PAX extended header
 * (pax(1), "ustar Interchange Format" + "pax Extended Header") for names or
 * link targets that do not fit, non-ASCII names, and sizes ≥ 8 GiB.
 */

export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink';

export interface TarHeader {
  readonly path: string;
  readonly type: TarEntryType;
  readonly size: number;
  readonly mode: number;
  readonly mtime: number;
  readonly uid: number;
  readonly gid: number;
  readonly linkname?: string;
}

const BLOCK = 512;
const TYPEFLAG: Record<TarEntryType, string> = { file: '0', hardlink: '1', symlink: '2', dir: '5' };
const MAX_OCTAL_11 = 0o77777777777;

function writeString(b: Buffer, s: string, off: number, len: number): void {
  b.write(s, off, len, 'utf8');
}

function writeOctal(b: Buffer, v: number, off: number, len: number): void {
  const s = Math.max(0, Math.floor(v))
    .toString(8)
    .padStart(len - 1, '0');
  b.write(`${s.slice(-(len - 1))}\0`, off, len, 'ascii');
}

function fits(s: string, max: number): boolean {
  return Buffer.byteLength(s) <= max && /^[\x20-\x7e]*$/.test(s);
}

/** ustar splits long names into prefix (155) + name (100) at a "/". */
function splitUstar(path: string): { name: string; prefix: string } | undefined {
  if (fits(path, 100)) return { name: path, prefix: '' };
  if (!fits(path, 256)) return undefined;
  for (let i = path.length - 1; i > 0; i--) {
    if (path[i] === '/' && i <= 155 && path.length - i - 1 <= 100 && path.length - i - 1 > 0) {
      return { prefix: path.slice(0, i), name: path.slice(i + 1) };
    }
  }
  return undefined;
}

function header(h: TarHeader, name: string, prefix: string, typeflag: string, size: number, linkname: string): Buffer {
  const b = Buffer.alloc(BLOCK);
  writeString(b, name, 0, 100);
  writeOctal(b, h.mode & 0o7777, 100, 8);
  writeOctal(b, Math.min(h.uid, 0o7777777), 108, 8);
  writeOctal(b, Math.min(h.gid, 0o7777777), 116, 8);
  writeOctal(b, size, 124, 12);
  writeOctal(b, Math.min(h.mtime, MAX_OCTAL_11), 136, 12);
  b.fill(0x20, 148, 156);
  writeString(b, typeflag, 156, 1);
  writeString(b, linkname, 157, 100);
  writeString(b, 'ustar\0', 257, 6);
  writeString(b, '00', 263, 2);
  writeString(b, prefix, 345, 155);
  let sum = 0;
  for (const x of b) sum += x;
  writeString(b, `${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return b;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

/** Header block(s) for one entry: an optional PAX header plus its ustar header. */
export function encodeHeader(h: TarHeader): Buffer {
  const path = h.type === 'dir' && !h.path.endsWith('/') ? `${h.path}/` : h.path;
  const linkname = h.linkname ?? '';
  const records: string[] = [];
  let split = splitUstar(path);
  if (!split) {
    records.push(paxRecord('path', path));
    split = {
      name: Buffer.from(path)
        .subarray(0, 99)
        .toString('latin1')
        .replace(/[^\x20-\x7e]/g, '_'),
      prefix: '',
    };
  }
  let link = linkname;
  if (!fits(linkname, 100)) {
    records.push(paxRecord('linkpath', linkname));
    link = '';
  }
  let size = h.type === 'file' ? h.size : 0;
  if (size > MAX_OCTAL_11) {
    records.push(paxRecord('size', String(size)));
    size = 0;
  }
  const main = header(h, split.name, split.prefix, TYPEFLAG[h.type], size, link);
  if (records.length === 0) return main;
  const data = Buffer.from(records.join(''));
  const pax = header({ ...h, type: 'file' }, 'PaxHeader', '', 'x', data.length, '');
  return Buffer.concat([pax, data, padding(data.length), main]);
}

export function padding(size: number): Buffer {
  const rem = size % BLOCK;
  return Buffer.alloc(rem === 0 ? 0 : BLOCK - rem);
}

/** Two zero blocks end an archive. */
export function endOfArchive(): Buffer {
  return Buffer.alloc(BLOCK * 2);
}
