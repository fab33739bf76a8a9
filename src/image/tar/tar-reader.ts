import type { Readable } from 'node:stream';
import { CustomsError } from '../../core/index.js';
import { ByteReader } from './byte-reader.js';
import {
  BLOCK,
  cString,
  decodeHeader,
  type EntryType,
  entryType,
  GNU_SPARSE_MAP,
  isHeaderOnly,
  isZeroBlock,
  parseDecimal,
  parsePax,
} from './tar-header.js';

export interface TarEntry {
  /** Name exactly as stored (after pax/GNU long-name resolution), not normalised. */
  readonly name: string;
  readonly type: EntryType;
  /** Size of the content (for a sparse file: its logical size, holes included). */
  readonly size: number;
  readonly mode: number;
  /** Symlink target or hard-link source, as stored. */
  readonly linkname: string;
}

/** Largest pax/GNU long-name meta entry accepted, as archive/tar (maxSpecialFileSize). */
const MAX_META = 1024 * 1024;

const pad = (n: number): number => (BLOCK - (n % BLOCK)) % BLOCK;

/** Data fragments of a sparse file: [offset, length] in the logical file, in order. */
type SparseMap = readonly (readonly [number, number])[];

/** pax keys whose values archive/tar parses; a bad one makes it reject the entry. */
const PAX_INTEGER_KEYS = ['uid', 'gid', 'size'];
const PAX_TIME_KEYS = ['atime', 'mtime', 'ctime'];

/**
 * Streaming tar reader: `next()` yields entries one by one; a body is read
 * only if asked for (`readBody`, `readHead`), otherwise skipped without copying.
 * A stream that ends before its end-of-archive marker or inside an entry is
 * LAYER_TRUNCATED; garbage is LAYER_CORRUPT.
 *
 * Container runtimes unpack layers with Go's archive/tar, so this reader
 * follows its semantics wherever a hostile layer could make two readers see
 * different files (see docs/security.md "Layer tar semantics"):
 * - pax extended headers ('x') and GNU long names/links ('L', 'K') describe the
 *   next entry only; a later 'x' replaces an earlier one; a GNU long name wins
 *   over a pax `path`; an empty pax value keeps the header's field;
 * - pax global headers ('g') apply to no entry: archive/tar returns them as an
 *   entry of their own, which Docker and containerd skip, so they also drop any
 *   pending 'x'/'L'/'K' metadata;
 * - links, devices, directories and fifos (types 1–6) have no body whatever
 *   their size field says;
 * - an old-style file ('\0') whose name ends in "/" is a directory;
 * - GNU sparse files in pax format (0.0, 0.1, 1.0) are expanded, and named by
 *   GNU.sparse.name;
 * - one zero block then a header is corrupt; two zero blocks end the archive.
 */
export class TarReader {
  private readonly in: ByteReader;
  /** Bytes of the current entry's body not yet consumed, and its padding. */
  private remaining = 0;
  private padding = 0;
  private head: Buffer | undefined;
  /** The current entry's sparse map and logical size, when it is a sparse file. */
  private sparse: { readonly map: SparseMap; readonly size: number; body?: Buffer } | undefined;
  entries = 0;

  constructor(stream: Readable | AsyncIterable<Buffer>) {
    this.in = new ByteReader(stream);
  }

  get position(): number {
    return this.in.position;
  }

  /** Move past the current entry's body and padding if the current chunk holds them; false if it does not. */
  private finishInChunk(): boolean {
    const n = this.remaining + this.padding;
    if (n > 0 && !this.in.trySkip(n)) return false;
    this.clearEntry();
    return true;
  }

  private async finishEntry(): Promise<void> {
    const n = this.remaining + this.padding;
    if (n > 0) {
      const skipped = await this.in.skip(n);
      if (skipped < this.remaining) this.truncated();
    }
    this.clearEntry();
  }

  private clearEntry(): void {
    this.remaining = 0;
    this.padding = 0;
    this.head = undefined;
    this.sparse = undefined;
  }

  private truncated(): never {
    throw new CustomsError(
      'LAYER_TRUNCATED',
      `tar stream ends in the middle of an entry (at byte ${this.in.position})`,
    );
  }

  private async readMeta(size: number, what: string): Promise<Buffer> {
    if (size < 0) throw new CustomsError('LAYER_CORRUPT', `tar ${what} header has a negative size`);
    if (size > MAX_META) throw new CustomsError('LAYER_CORRUPT', `tar ${what} header of ${size} bytes is too large`);
    const data = await this.in.read(size);
    if (data.length < size) this.truncated();
    // A copy: the meta data must outlive the chunk it came from.
    const copy = Buffer.from(data);
    const p = pad(size);
    if ((await this.in.skip(p)) < p) this.truncated();
    return copy;
  }

  /**
   * The next header block, or null at the end of the archive. `taken` is a block already read
   * (ByteReader.tryRead) that was not a header.
   */
  private async headerBlock(taken?: Buffer): Promise<Buffer | null> {
    const block = taken ?? (await this.in.read(BLOCK));
    if (block.length === 0) {
      // No end-of-archive marker: tolerated only at a clean block boundary
      // (several real exporters omit it, and archive/tar accepts it), never inside an entry.
      return null;
    }
    if (block.length < BLOCK) this.truncated();
    if (!isZeroBlock(block)) return block;
    // archive/tar: one zero block then the end of the stream is a clean end, two
    // zero blocks end the archive, a zero block followed by a header is corrupt.
    const second = await this.in.read(BLOCK);
    if (second.length === 0) return null;
    if (second.length < BLOCK) this.truncated();
    if (!isZeroBlock(second)) {
      throw new CustomsError(
        'LAYER_CORRUPT',
        `tar stream has a header after a single zero block (at byte ${this.in.position - BLOCK}); container runtimes refuse such layers`,
      );
    }
    // End of archive; read the rest so the digest check at the stream's end runs.
    await this.in.drain();
    return null;
  }

  /** The next entry, or null at the end of the archive. */
  async next(): Promise<TarEntry | null> {
    // Steps that need no new chunk are taken without awaiting (ByteReader.tryRead, trySkip).
    if (!this.finishInChunk()) await this.finishEntry();
    let pax: Map<string, string> | undefined;
    let longName = '';
    let longLink = '';
    for (;;) {
      const ready = this.in.tryRead(BLOCK);
      const block = ready !== undefined && !isZeroBlock(ready) ? ready : await this.headerBlock(ready);
      if (block === null) return null;
      const h = decodeHeader(block);
      // archive/tar checks the header's own size before anything else (typeflag as stored).
      if (h.size < 0 && !isHeaderOnly(h.typeflag))
        throw new CustomsError('LAYER_CORRUPT', `tar entry "${h.name}" has a negative size`);
      switch (h.typeflag) {
        case 'x':
          pax = parsePax(await this.readMeta(h.size, 'pax'));
          continue;
        case 'g':
          // Validated (archive/tar rejects a bad one), then dropped with whatever
          // metadata was pending: it is an entry of its own that runtimes skip.
          parsePax(await this.readMeta(h.size, 'pax global'));
          pax = undefined;
          longName = '';
          longLink = '';
          continue;
        case 'L':
          longName = cString(await this.readMeta(h.size, 'GNU long name'));
          continue;
        case 'K':
          longLink = cString(await this.readMeta(h.size, 'GNU long link'));
          continue;
        case 'S':
          // Old GNU sparse headers continue in extension blocks; Docker and containerd
          // refuse these entries ("unhandled tar header type"), so the layer is refused here too.
          throw new CustomsError(
            'LAYER_CORRUPT',
            `tar entry "${h.name}" is an old GNU sparse file (type S), which container runtimes refuse`,
          );
        default:
          break;
      }
      let name = h.name;
      let linkname = h.linkname;
      let size = h.size;
      if (pax) {
        checkPaxNumbers(pax, name);
        // An empty value keeps the header's field (archive/tar mergePAX).
        name = pax.get('path') || name;
        linkname = pax.get('linkpath') || linkname;
        const paxSize = pax.get('size');
        if (paxSize) size = parseDecimal(paxSize) ?? Number.NaN;
      }
      // GNU long names win over pax records (archive/tar applies them last).
      if (longName) name = longName;
      if (longLink) linkname = longLink;
      let typeflag = h.typeflag;
      if (typeflag === '\0') typeflag = name.endsWith('/') ? '5' : '0';
      // A negative size is refused only where a body is read: links, devices, directories and
      // fifos have none, and archive/tar ignores their size field.
      const physical = isHeaderOnly(typeflag) ? 0 : size;
      if (!Number.isSafeInteger(physical) || physical < 0)
        throw new CustomsError('LAYER_CORRUPT', `tar entry "${name}" has a bad size`);
      this.remaining = physical;
      this.padding = pad(physical);
      let contentSize = physical;
      const sparse = pax ? await this.sparseOf(pax, name, typeflag) : undefined;
      if (sparse) {
        name = sparse.name;
        contentSize = sparse.size;
        this.sparse = { map: sparse.map, size: sparse.size };
      }
      const type = entryType(typeflag);
      this.entries++;
      return { name, type, size: contentSize, mode: h.mode, linkname };
    }
  }

  /**
   * GNU sparse file in pax format (archive/tar readGNUSparsePAXHeaders): versions
   * 0.0 and 0.1 keep the map in pax records, 1.0 at the start of the body (read
   * here, so the body left is the data fragments). Other versions are not sparse.
   */
  private async sparseOf(
    pax: Map<string, string>,
    name: string,
    typeflag: string,
  ): Promise<{ name: string; size: number; map: SparseMap } | undefined> {
    const major = pax.get('GNU.sparse.major') ?? '';
    const minor = pax.get('GNU.sparse.minor') ?? '';
    let v1: boolean;
    if (major === '0' && (minor === '0' || minor === '1')) v1 = false;
    else if (major === '1' && minor === '0') v1 = true;
    else if (major !== '' || minor !== '') return undefined;
    else if (pax.get(GNU_SPARSE_MAP)) v1 = false;
    else return undefined;
    const bad = (why: string): never => {
      throw new CustomsError('LAYER_CORRUPT', `tar sparse entry "${name}": ${why}`);
    };
    const realName = pax.get('GNU.sparse.name') || name;
    let size = this.remaining;
    const sizeText = pax.get('GNU.sparse.size') || pax.get('GNU.sparse.realsize');
    if (sizeText) size = parseDecimal(sizeText) ?? bad('bad size');
    const numbers: number[] = [];
    if (v1) {
      // The map: decimal numbers, one a line (count, then offset/length pairs), in whole blocks.
      let text = '';
      let lines = 0;
      const feed = async (want: number): Promise<void> => {
        while (lines < want) {
          if (this.remaining < BLOCK) bad('the sparse map runs past the entry');
          if (text.length > MAX_META) bad('the sparse map is too large');
          const blk = await this.in.read(BLOCK);
          if (blk.length < BLOCK) this.truncated();
          this.remaining -= BLOCK;
          const s = blk.toString('latin1');
          text += s;
          for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 10) lines++;
        }
      };
      let at = 0;
      const token = (): number => {
        const nl = text.indexOf('\n', at);
        const n = parseDecimal(text.slice(at, nl));
        at = nl + 1;
        return n ?? bad('bad number in the sparse map');
      };
      await feed(1);
      const count = token();
      if (count < 0) bad('negative fragment count');
      await feed(1 + 2 * count);
      for (let i = 0; i < 2 * count; i++) numbers.push(token());
      this.padding = pad(this.remaining);
    } else {
      const count = parseDecimal(pax.get('GNU.sparse.numblocks') ?? '');
      if (count === undefined || count < 0) bad('bad GNU.sparse.numblocks');
      const text = pax.get(GNU_SPARSE_MAP) ?? '';
      const parts = text === '' ? [] : text.split(',');
      if (parts.length !== 2 * (count as number)) bad('GNU.sparse.map does not match GNU.sparse.numblocks');
      for (const p of parts) numbers.push(parseDecimal(p) ?? bad('bad number in GNU.sparse.map'));
    }
    if (isHeaderOnly(typeflag)) bad('a link, device or directory cannot be sparse');
    const map: [number, number][] = [];
    let end = 0;
    for (let i = 0; i < numbers.length; i += 2) {
      const off = numbers[i] as number;
      const len = numbers[i + 1] as number;
      // The checks archive/tar (and BSD tar) make: in order, not overlapping, inside the file.
      if (off < 0 || len < 0 || off + len > size || off < end) bad('fragments overlap or leave the file');
      end = off + len;
      map.push([off, len]);
    }
    return { name: realName, size, map };
  }

  /** Read the first n bytes of the current entry's body (kept for a later readBody). */
  async readHead(n: number): Promise<Buffer> {
    if (this.sparse) {
      const body = await this.readBody();
      return body.subarray(0, Math.min(n, body.length));
    }
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
    const sparse = this.sparse;
    if (!sparse) return this.readStored();
    if (sparse.body) return sparse.body;
    const data = await this.readStored();
    const want = sparse.map.reduce((sum, [, len]) => sum + len, 0);
    if (data.length !== want) {
      // archive/tar: errMissData / errUnrefData; runtimes fail the layer.
      throw new CustomsError(
        'LAYER_CORRUPT',
        `tar sparse entry holds ${data.length} bytes of data but its map lists ${want}`,
      );
    }
    const body = Buffer.alloc(sparse.size);
    let from = 0;
    for (const [off, len] of sparse.map) {
      data.copy(body, off, from, from + len);
      from += len;
    }
    sparse.body = body;
    return body;
  }

  /** The body as stored in the archive. */
  private async readStored(): Promise<Buffer> {
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

/** archive/tar rejects an entry whose pax uid, gid, size or times do not parse. */
function checkPaxNumbers(pax: Map<string, string>, name: string): void {
  for (const key of PAX_INTEGER_KEYS) {
    const v = pax.get(key);
    if (v && parseDecimal(v) === undefined)
      throw new CustomsError('LAYER_CORRUPT', `tar entry "${name}" has a bad pax ${key} "${v}"`);
  }
  for (const key of PAX_TIME_KEYS) {
    const v = pax.get(key);
    if (v && !/^[+-]?[0-9]+(?:\.[0-9]*)?$/.test(v))
      throw new CustomsError('LAYER_CORRUPT', `tar entry "${name}" has a bad pax ${key} "${v}"`);
  }
}
