/**
 * Random access into a tar file without extracting it: one pass over the
 * headers (POSIX ustar, PAX `x` records, GNU `L`/`K` long names; base-256
 * sizes), skipping contents with positioned reads; members are then read as
 * byte ranges. Bounded: entry count, header sanity, truncation.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { CustomsError } from '../core/index.js';
import { readBounded } from './bounded-read.js';
import { fileRangeStream } from './file-range-stream.js';
import type { FileRange } from './types.js';
import { BLOCK, cString, decodeHeader, isZeroBlock, parsePax, type RawHeader } from './tar/tar-header.js';

export interface TarMember {
  readonly name: string;
  /** Offset of the member's data in the file. */
  readonly offset: number;
  readonly size: number;
  /** ustar typeflag: '0' file, '2' symlink, '5' dir … */
  readonly type: string;
  readonly linkname: string;
}

/** More members than any image archive has; a guard against hostile files. */
const MAX_ENTRIES = 1_000_000;
const MAX_META = 1024 * 1024;

/** Normalise a member name: no leading "./" or "/", no trailing "/". */
export function normaliseMemberName(n: string): string {
  let s = n;
  while (s.startsWith('./')) s = s.slice(2);
  while (s.startsWith('/')) s = s.slice(1);
  while (s.endsWith('/')) s = s.slice(0, -1);
  return s;
}

export class TarIndex {
  private constructor(
    readonly path: string,
    readonly members: ReadonlyMap<string, TarMember>,
  ) {}

  /** Index `path`; `what` names the archive in errors. */
  static async build(path: string, what: string): Promise<TarIndex> {
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (e) {
      throw new CustomsError('IMAGE_NOT_FOUND', `${what}: cannot open ${path} (${(e as Error).message})`, e);
    }
    try {
      const { size: fileSize } = await fh.stat();
      const members = new Map<string, TarMember>();
      const header = Buffer.alloc(BLOCK);
      let pos = 0;
      let longName: string | undefined;
      let longLink: string | undefined;
      let pax: Map<string, string> | undefined;
      let count = 0;
      let sawEnd = false;
      while (pos + BLOCK <= fileSize) {
        const { bytesRead } = await fh.read(header, 0, BLOCK, pos);
        if (bytesRead < BLOCK) break;
        if (isZeroBlock(header)) {
          sawEnd = true;
          break;
        }
        let h: RawHeader;
        try {
          h = decodeHeader(header);
        } catch (e) {
          throw new CustomsError(
            'IMAGE_FORMAT_INVALID',
            `${what}: not a tar archive (${(e as Error).message} at offset ${pos})`,
            e,
          );
        }
        if (++count > MAX_ENTRIES)
          throw new CustomsError('IMAGE_FORMAT_INVALID', `${what}: more than ${MAX_ENTRIES} tar entries`);
        const type = h.typeflag === '\0' ? '0' : h.typeflag;
        const paxSize = pax?.get('size');
        const size = type !== 'x' && type !== 'g' && paxSize !== undefined ? Number(paxSize) : h.size;
        if (!Number.isSafeInteger(size) || size < 0) {
          throw new CustomsError('IMAGE_FORMAT_INVALID', `${what}: bad size field in the tar header at offset ${pos}`);
        }
        const dataStart = pos + BLOCK;
        const dataEnd = dataStart + size;
        if (dataEnd > fileSize) {
          throw new CustomsError(
            'IMAGE_FORMAT_INVALID',
            `${what}: archive is truncated (an entry needs ${size} bytes at offset ${dataStart}, the file has ${fileSize}); export the image again`,
          );
        }
        const readMeta = async (): Promise<Buffer> => {
          if (size > MAX_META)
            throw new CustomsError('IMAGE_FORMAT_INVALID', `${what}: oversized tar metadata record at offset ${pos}`);
          const b = Buffer.alloc(size);
          await fh.read(b, 0, size, dataStart);
          return b;
        };
        if (type === 'L') longName = cString(await readMeta());
        else if (type === 'K') longLink = cString(await readMeta());
        else if (type === 'x') pax = parsePax(await readMeta());
        else if (type === 'g') {
          // global PAX header: nothing customs needs
        } else {
          const name = pax?.get('path') ?? longName ?? h.name;
          const linkname = pax?.get('linkpath') ?? longLink ?? h.linkname;
          const norm = normaliseMemberName(name);
          if (norm !== '') members.set(norm, { name: norm, offset: dataStart, size, type, linkname });
          longName = undefined;
          longLink = undefined;
          pax = undefined;
        }
        pos = dataStart + Math.ceil(size / BLOCK) * BLOCK;
      }
      if (count === 0) throw new CustomsError('IMAGE_FORMAT_INVALID', `${what}: empty or not a tar archive`);
      if (!sawEnd && pos < fileSize) {
        throw new CustomsError(
          'IMAGE_FORMAT_INVALID',
          `${what}: archive is truncated inside a tar header; export the image again`,
        );
      }
      return new TarIndex(path, members);
    } finally {
      await fh.close();
    }
  }

  has(name: string): boolean {
    return this.members.has(normaliseMemberName(name));
  }

  /** Follow symlinks and hard links inside the archive (docker save links duplicate layers). */
  private resolve(name: string, what: string): TarMember {
    let m = this.members.get(normaliseMemberName(name));
    for (let hops = 0; m && (m.type === '2' || m.type === '1'); hops++) {
      if (hops > 16) throw new CustomsError('IMAGE_FORMAT_INVALID', `${what}: link loop at ${name}`);
      const target = m.type === '2' ? joinLink(m.name, m.linkname) : normaliseMemberName(m.linkname);
      m = this.members.get(target);
    }
    if (!m) throw new CustomsError('IMAGE_BLOB_MISSING', `${what}: ${name} is not in the archive`);
    return m;
  }

  member(name: string, what: string): TarMember {
    return this.resolve(name, what);
  }

  /** Where a member's bytes are in the archive file (symlinks and hard links followed). */
  locate(name: string): FileRange | undefined {
    if (!this.has(name)) return undefined;
    const m = this.resolve(name, name);
    return { path: this.path, start: m.offset, length: m.size };
  }

  /** A stream of one member's bytes. */
  open(name: string, what: string): Readable {
    const m = this.resolve(name, what);
    if (m.size === 0) return Readable.from([]);
    return fileRangeStream({ path: this.path }, m.offset, m.size);
  }

  async read(name: string, max: number, what: string): Promise<Buffer> {
    const m = this.resolve(name, what);
    if (m.size > max)
      throw new CustomsError(
        'IMAGE_MANIFEST_INVALID',
        `${what}: ${name} is ${m.size} bytes, more than the ${max} allowed`,
      );
    return readBounded(this.open(name, what), max, `${what}: ${name}`);
  }
}

function joinLink(from: string, link: string): string {
  if (link.startsWith('/')) return normaliseMemberName(link);
  const parts = from.split('/').slice(0, -1);
  for (const p of link.split('/')) {
    if (p === '..') parts.pop();
    else if (p !== '.' && p !== '') parts.push(p);
  }
  return parts.join('/');
}
