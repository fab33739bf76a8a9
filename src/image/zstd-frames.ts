/**
 * Checks the structure of a zstd stream (RFC 8878 §3.1) as it arrives, before
 * the decoder sees it, so that a hostile layer cannot make the decoder allocate
 * or copy more than the budgets below allow.
 *
 * The decoder (fzstd) allocates a buffer of the frame's Window_Size for every
 * frame and shifts that whole buffer once per block. A frame header is a few
 * bytes, so without these checks a 1.7 KB layer declaring a 2 GiB window
 * allocates 2 GiB and spends minutes copying it; and even at an accepted window
 * size, thousands of 1-byte blocks each pay one full window shift.
 */
import { CustomsError } from '../core/index.js';

/**
 * Largest Window_Size accepted: 2^27 bytes (128 MiB), the zstd CLI's default
 * decoding limit (ZSTD_WINDOWLOG_LIMIT_DEFAULT = 27; `zstd -d` refuses more
 * without --memory / --long). Encoders only go past it when asked to
 * (`zstd --long=28+`, `--ultra -22` on big inputs).
 */
export const ZSTD_MAX_WINDOW_LOG = 27;
export const ZSTD_MAX_WINDOW = 2 ** ZSTD_MAX_WINDOW_LOG;

/** RFC 8878 §3.1.1.2: Block_Size never exceeds 128 KiB, whatever the window. */
const BLOCK_SIZE_MAX = 128 * 1024;

/**
 * Window bytes the decoder may copy or allocate per byte of output. A stream
 * of full 128 KiB blocks under the largest accepted window (128 MiB) costs
 * 128 MiB / 128 KiB = 1024 per output byte: genuine streams stay within this
 * however their window compares to the limit.
 */
export const ZSTD_COPY_PER_OUTPUT_BYTE = 1024;

/**
 * Window bytes the decoder may copy or allocate beyond what the output pays
 * for: room for frames and blocks that carry little output (short final
 * blocks; small files as frames of their own, which encoders write as
 * single-segment frames whose window is just the content). 1 GiB is ~0.1 s of
 * memory copying on an idle core (~10 GB/s measured for 128 MiB shifts), per
 * layer, and stays near a second on a loaded machine; genuine streams get
 * their room from the per-output allowance above, not from this base.
 */
export const ZSTD_COPY_BASE = 1024 ** 3;

const ZSTD_MAGIC = 0xfd2fb528;
/** Skippable frames: magic 0x184D2A50..0x184D2A5F (RFC 8878 §3.1.2). */
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

type State =
  | { readonly kind: 'frame-start' }
  | { readonly kind: 'block-header'; readonly window: number; readonly checksum: boolean }
  | {
      readonly kind: 'block-body';
      left: number;
      readonly last: boolean;
      readonly window: number;
      readonly checksum: boolean;
    }
  | { readonly kind: 'skip'; left: number };

/**
 * Incremental scanner. `scan(buf)` validates every structure that starts in
 * `buf` and returns how many leading bytes may go to the decoder; the rest is
 * an incomplete header to present again with more bytes. Each block's window
 * is queued, and `decoded(outLength)` charges the decoder's shift of it
 * against the budget when the decoder emits that block.
 */
export class ZstdFrameScanner {
  private state: State = { kind: 'frame-start' };
  /** Window of the frame being scanned, for messages. */
  private window = 0;
  /** Window size of each scanned block not yet decoded, in stream order. */
  private readonly pending: number[] = [];
  private pendingHead = 0;
  private copyWork = 0;
  private outBytes = 0;
  private offset = 0;

  constructor(private readonly what: string) {}

  /** True when the stream ended between frames (not inside a header or a frame). */
  get atFrameBoundary(): boolean {
    return this.state.kind === 'frame-start';
  }

  scan(buf: Uint8Array): number {
    let pos = 0;
    for (;;) {
      const s = this.state;
      switch (s.kind) {
        case 'skip':
        case 'block-body': {
          const n = Math.min(s.left, buf.length - pos);
          s.left -= n;
          pos += n;
          if (s.left > 0) return this.advance(pos);
          // After the last block comes the optional 4-byte Content_Checksum (§3.1.1), then the next frame.
          if (s.kind === 'skip') this.state = { kind: 'frame-start' };
          else if (s.last) this.state = s.checksum ? { kind: 'skip', left: 4 } : { kind: 'frame-start' };
          else this.state = { kind: 'block-header', window: s.window, checksum: s.checksum };
          continue;
        }
        case 'frame-start': {
          if (buf.length - pos < 4) return this.advance(pos);
          const magic = readU32(buf, pos);
          if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
            if (buf.length - pos < 8) return this.advance(pos);
            this.state = { kind: 'skip', left: readU32(buf, pos + 4) };
            pos += 8;
            continue;
          }
          if (magic !== ZSTD_MAGIC)
            throw new CustomsError(
              'LAYER_CORRUPT',
              `${this.what}: zstd stream is corrupt (no frame magic at byte ${this.offset + pos})`,
            );
          const header = this.frameHeader(buf, pos + 4);
          if (header === undefined) return this.advance(pos);
          pos = header.end;
          this.window = header.window;
          this.state = { kind: 'block-header', window: header.window, checksum: header.checksum };
          continue;
        }
        case 'block-header': {
          if (buf.length - pos < 3) return this.advance(pos);
          const h = (buf[pos] ?? 0) | ((buf[pos + 1] ?? 0) << 8) | ((buf[pos + 2] ?? 0) << 16);
          pos += 3;
          const last = (h & 1) === 1;
          const type = (h >> 1) & 3;
          const size = h >>> 3;
          if (type === 3)
            throw new CustomsError('LAYER_CORRUPT', `${this.what}: zstd stream is corrupt (reserved block type)`);
          if (size > BLOCK_SIZE_MAX)
            throw new CustomsError(
              'LAYER_CORRUPT',
              `${this.what}: zstd stream is corrupt (a block of ${size} bytes; RFC 8878 allows ${BLOCK_SIZE_MAX})`,
            );
          this.pending.push(s.window);
          // An RLE block (type 1) stores one byte, whatever Block_Size says it expands to.
          this.state = {
            kind: 'block-body',
            left: type === 1 ? 1 : size,
            last,
            window: s.window,
            checksum: s.checksum,
          };
          continue;
        }
      }
    }
  }

  /**
   * The decoder produced one block of `length` bytes: charge its window shift.
   * Throws when the copying has outgrown what the output pays for.
   */
  decoded(length: number): void {
    const window = this.pending[this.pendingHead];
    if (window === undefined) return;
    this.pendingHead++;
    if (this.pendingHead > 4096 && this.pendingHead * 2 > this.pending.length) {
      this.pending.splice(0, this.pendingHead);
      this.pendingHead = 0;
    }
    this.outBytes += length;
    this.charge(window);
  }

  private charge(bytes: number): void {
    this.copyWork += bytes;
    const allowed = ZSTD_COPY_BASE + ZSTD_COPY_PER_OUTPUT_BYTE * this.outBytes;
    if (this.copyWork > allowed)
      throw new CustomsError(
        'LAYER_DECODER_LIMIT',
        `${this.what}: zstd stream makes the decoder copy more than ${gib(allowed)} of window memory for ${this.outBytes} bytes of output (frames or blocks carrying almost nothing under a ${mib(this.window)} window); the layer looks crafted`,
      );
  }

  private advance(pos: number): number {
    this.offset += pos;
    return pos;
  }

  /**
   * RFC 8878 §3.1.1.1: Frame_Header_Descriptor, [Window_Descriptor],
   * [Dictionary_ID], [Frame_Content_Size]. Undefined while incomplete.
   */
  private frameHeader(buf: Uint8Array, at: number): { end: number; window: number; checksum: boolean } | undefined {
    if (at >= buf.length) return undefined;
    const fhd = buf[at] ?? 0;
    const fcsFlag = fhd >> 6;
    const singleSegment = ((fhd >> 5) & 1) === 1;
    if ((fhd >> 3) & 1)
      throw new CustomsError(
        'LAYER_CORRUPT',
        `${this.what}: zstd stream is corrupt (reserved frame header bit set at byte ${this.offset + at})`,
      );
    const checksum = ((fhd >> 2) & 1) === 1;
    const dictBytes = [0, 1, 2, 4][fhd & 3] ?? 0;
    const fcsBytes = fcsFlag === 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag;
    const end = at + 1 + (singleSegment ? 0 : 1) + dictBytes + fcsBytes;
    if (end > buf.length) return undefined;
    let window: number;
    let declared: string;
    if (singleSegment) {
      // §3.1.1.1.4: with Single_Segment_flag the window is the whole content.
      const p = at + 1 + dictBytes;
      let fcs = 0;
      for (let i = fcsBytes - 1; i >= 0; i--) fcs = fcs * 256 + (buf[p + i] ?? 0);
      if (fcsBytes === 2) fcs += 256;
      window = fcs;
      declared = `a single-segment frame of ${fcs} bytes`;
    } else {
      // §3.1.1.1.2: Window_Log = 10 + Exponent; Window_Size = 2^Window_Log + (2^Window_Log / 8) * Mantissa.
      const wd = buf[at + 1] ?? 0;
      const windowLog = 10 + (wd >> 3);
      const base = 2 ** windowLog;
      window = base + (base / 8) * (wd & 7);
      declared = `a window of ${window} bytes (log ${windowLog})`;
    }
    if (window > ZSTD_MAX_WINDOW)
      throw new CustomsError(
        'LAYER_DECODER_LIMIT',
        `${this.what}: zstd frame at byte ${this.offset + at - 4} declares ${declared}, more than the limit of ${ZSTD_MAX_WINDOW} bytes (window log ${ZSTD_MAX_WINDOW_LOG}, the zstd CLI's default); recompress the layer without --long / --ultra`,
      );
    // The decoder allocates the window for every frame.
    this.charge(window);
    return { end, window, checksum };
  }
}

function readU32(buf: Uint8Array, at: number): number {
  return ((buf[at] ?? 0) | ((buf[at + 1] ?? 0) << 8) | ((buf[at + 2] ?? 0) << 16) | ((buf[at + 3] ?? 0) << 24)) >>> 0;
}

function gib(n: number): string {
  return `${(n / 1024 ** 3).toFixed(1)} GiB`;
}

function mib(n: number): string {
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}
