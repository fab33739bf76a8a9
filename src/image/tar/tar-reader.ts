import type { Readable } from 'node:stream';
import { CustomsError } from '../../core/index.js';
import { ByteReader } from './byte-reader.js';
import { BLOCK, cString, decodeHeader, type EntryType, entryType, isZeroBlock, parsePax } from './tar-header.js';

export interface TarEntry {
  /** Name exactly as stored (after pax/GNU long-name resolution), not normalised. */
  readonly name: string;
  readonly type: EntryType;
  readonly size: number;
  readonly mode: number;
  /** Symlink target or hard-link source, as stored. */
  readonly linkname: string;
}

/** Largest pax/GNU long-name meta entry accepted; real ones are a few hundred bytes. */
const MAX_META = 1024 * 1024;

const pad = (n: number): number => (BLOCK - (n % BLOCK)) % BLOCK;

/**
 * Streaming tar reader: `next()` yields entries one by one; a body is read
 * only if asked for (`readBody`, `readHead`), otherwise skipped without copying.
 * A stream that ends before its end-of-archive marker or inside an entry is
 * LAYER_TRUNCATED; garbage is LAYER_CORRUPT.
 */
export class TarReader {
  private readonly in: ByteReader;
  /** Bytes of the current entry's body not yet consumed, and its padding. */
  private remaining = 0;
  private padding = 0;
  private head: Buffer | undefined;
  private globalPax = new Map<string, string>();
  entries = 0;

  constructor(stream: Readable | AsyncIterable<Buffer>) {
    this.in = new ByteReader(stream);
  }

  get position(): number {
    return this.in.position;
  }

  private async finishEntry(): Promise<void> {
    const n = this.remaining + this.padding;
    if (n > 0) {
      const skipped = await this.in.skip(n);
      if (skipped < this.remaining) this.truncated();
    }
    this.remaining = 0;
    this.padding = 0;
    this.head = undefined;
  }

  private truncated(): never {
    throw new CustomsError(
      'LAYER_TRUNCATED',
      `tar stream ends in the middle of an entry (at byte ${this.in.position})`,
    );
  }

  private async readMeta(size: number, what: string): Promise<Buffer> {
    if (size > MAX_META) throw new CustomsError('LAYER_CORRUPT', `tar ${what} header of ${size} bytes is too large`);
    const data = await this.in.read(size);
    if (data.length < size) this.truncated();
    const p = pad(size);
    if ((await this.in.skip(p)) < p) this.truncated();
    return data;
  }

  /** The next entry, or null at the end of the archive. */
  async next(): Promise<TarEntry | null> {
    await this.finishEntry();
    let longName: string | undefined;
    let longLink: string | undefined;
    let pax: Map<string, string> | undefined;
    for (;;) {
      const block = await this.in.read(BLOCK);
      if (block.length === 0) {
        // No end-of-archive marker: tolerated only at a clean block boundary
        // (several real exporters omit it), never inside an entry.
        return null;
      }
      if (block.length < BLOCK) this.truncated();
      if (isZeroBlock(block)) {
        // End of archive; read the rest so the digest check at the stream's end runs.
        await this.in.drain();
        return null;
      }
      const h = decodeHeader(block);
      switch (h.typeflag) {
        case 'x':
          pax = parsePax(await this.readMeta(h.size, 'pax'));
          continue;
        case 'g':
          for (const [k, v] of parsePax(await this.readMeta(h.size, 'pax global'))) this.globalPax.set(k, v);
          continue;
        case 'L':
          longName = cString(await this.readMeta(h.size, 'GNU long name'));
          continue;
        case 'K':
          longLink = cString(await this.readMeta(h.size, 'GNU long link'));
          continue;
        default:
          break;
      }
      const name = pax?.get('path') ?? longName ?? this.globalPax.get('path') ?? h.name;
      const linkname = pax?.get('linkpath') ?? longLink ?? h.linkname;
      const paxSize = pax?.get('size');
      const size = paxSize !== undefined ? Number(paxSize) : h.size;
      if (!Number.isSafeInteger(size) || size < 0)
        throw new CustomsError('LAYER_CORRUPT', `tar entry "${name}" has a bad size`);
      const type = entryType(h.typeflag);
      // Hard links, symlinks and directories carry no body, whatever the size field says.
      const bodySize = type === 'file' || type === 'other' ? size : 0;
      this.remaining = bodySize;
      this.padding = pad(bodySize);
      this.entries++;
      return { name, type, size: bodySize, mode: h.mode, linkname };
    }
  }

  /** Read the first n bytes of the current entry's body (kept for a later readBody). */
  async readHead(n: number): Promise<Buffer> {
    if (this.head) return this.head.subarray(0, Math.min(n, this.head.length));
    const want = Math.min(n, this.remaining);
    // A copy: the head must outlive the chunk it came from.
    const data = Buffer.from(await this.in.read(want));
    if (data.length < want) this.truncated();
    this.remaining -= want;
    this.head = data;
    return data;
  }

  /**
   * Read the whole body of the current entry. The result may share memory with
   * the stream's chunk: use it before the next call, or copy it.
   */
  async readBody(): Promise<Buffer> {
    if (!this.head) {
      const body = await this.in.read(this.remaining);
      if (body.length < this.remaining) this.truncated();
      this.remaining = 0;
      this.head = body;
      return body;
    }
    if (this.remaining === 0) return this.head;
    // One allocation for head + rest, instead of reading the rest and concatenating.
    const body = Buffer.allocUnsafe(this.head.length + this.remaining);
    this.head.copy(body, 0);
    const got = await this.in.readInto(body, this.head.length, this.remaining);
    if (got < this.remaining) this.truncated();
    this.remaining = 0;
    this.head = body;
    return body;
  }

  async close(): Promise<void> {
    await this.in.close();
  }
}
