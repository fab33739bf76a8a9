/**
 * Turns a stored layer blob into its uncompressed tar stream: decompression
 * chosen from the media type and checked against the magic bytes, and
 * decompression-bomb limits (core Limits).
 */
import { Transform, type TransformCallback } from 'node:stream';
import { Decompress as ZstdDecompress } from 'fzstd';
import { CustomsError, type ErrorCode, isCustomsError } from '../core/index.js';
import { releaseChunk } from './chunk-pool.js';
import { createGzipInflater, type GzipInflater } from './gzip-inflater.js';
import { sniffCompression } from './media-types.js';
import type { LayerCompression } from './types.js';
import { ZstdFrameScanner } from './zstd-frames.js';

export interface DecoderOptions {
  /** Compression the media type declares, or 'sniff' when only the bytes can tell. */
  readonly expected: LayerCompression | 'sniff';
  /** Names the blob in errors. */
  readonly what: string;
  readonly maxSize: number;
  readonly maxRatio: number;
  /** The gzip inflater: ISA-L when its addon loads (the default), or node:zlib (tests, measurements). */
  readonly inflater?: 'auto' | 'isa-l' | 'zlib';
}

/**
 * Output chunk of the gzip decoder. zlib's default (16 KiB) makes one callback, one
 * Buffer and one downstream write per 16 KiB of tar; 256 KiB cut the CPU time of
 * inflating the benchmark image's layers by about a fifth (docs/adr/0009).
 */
export const INFLATE_CHUNK = 256 * 1024;

/** Ratio checks start after this much output, so tiny well-compressed layers pass. */
const RATIO_FLOOR = 64 * 1024 * 1024;

/**
 * A Transform: stored bytes in, tar bytes out. If decoding fails the rest of
 * the input is still consumed (and discarded) so that an upstream digest check
 * can report a tampered blob as a digest mismatch rather than as corruption.
 */
export class LayerDecoder extends Transform {
  private head: Buffer[] = [];
  private headLen = 0;
  private mode: LayerCompression | undefined;
  private gunzip: GzipInflater | undefined;
  private zstd: ZstdDecompress | undefined;
  /** Checks each zstd frame and block header before the decoder sees it (zstd-frames.ts). */
  private zstdFrames: ZstdFrameScanner | undefined;
  /** Bytes of an incomplete zstd header, held back until the rest arrives. */
  private zstdHeld: Buffer = Buffer.alloc(0);
  private failed: CustomsError | undefined;
  /**
   * Completes the gzip write or end in flight. An inflater destroyed by `fail`
   * while one is pending never calls it back: without this the decoder would
   * stall, neither ending nor failing.
   */
  private gzipPending: (() => void) | undefined;
  private inBytes = 0;
  private outBytes = 0;

  constructor(private readonly opts: DecoderOptions) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.inBytes += chunk.length;
    if (this.failed) {
      cb();
      return;
    }
    if (this.mode === undefined) {
      this.head.push(chunk);
      this.headLen += chunk.length;
      if (this.headLen < 4) {
        cb();
        return;
      }
      // One chunk is passed on as it is (a pooled read buffer stays poolable); a split head is joined.
      const first = this.head.length === 1 ? chunk : Buffer.concat(this.head);
      this.head = [];
      this.start(first);
      this.feed(first, cb);
      return;
    }
    this.feed(chunk, cb);
  }

  override _flush(cb: TransformCallback): void {
    if (this.mode === undefined) {
      const first = Buffer.concat(this.head);
      this.head = [];
      this.start(first);
      if (first.length > 0) {
        this.feed(first, (err) => (err ? cb(err) : this.finish(cb)));
        return;
      }
    }
    this.finish(cb);
  }

  private start(first: Buffer): void {
    const actual = sniffCompression(first);
    const expected = this.opts.expected;
    if (expected !== 'sniff' && actual !== expected && first.length > 0) {
      this.fail(
        'LAYER_CORRUPT',
        `${this.opts.what}: media type says ${expected === 'none' ? 'uncompressed tar' : expected} but the content starts like ${actual === 'none' ? 'uncompressed data' : actual}`,
      );
    }
    this.mode = expected === 'sniff' ? actual : expected;
    if (this.failed) return;
    if (this.mode === 'gzip') {
      this.gunzip = createGzipInflater(
        INFLATE_CHUNK,
        {
          data: (d) => this.emitOut(d),
          error: (f) =>
            this.fail(
              f.truncated ? 'LAYER_TRUNCATED' : 'LAYER_CORRUPT',
              `${this.opts.what}: gzip stream ${f.truncated ? 'ends early' : 'is corrupt'} (${f.detail})`,
            ),
        },
        this.opts.inflater,
      );
    } else if (this.mode === 'zstd') {
      const frames = new ZstdFrameScanner(this.opts.what);
      this.zstdFrames = frames;
      this.zstd = new ZstdDecompress((data, final) => {
        // fzstd calls back once per decoded block (and once, empty, at the very end).
        if (!final) frames.decoded(data.byteLength);
        this.emitOut(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      });
    }
  }

  private feed(chunk: Buffer, cb: (err?: Error | null) => void): void {
    if (this.failed) {
      cb();
      return;
    }
    switch (this.mode) {
      case 'gzip': {
        const g = this.gunzip;
        if (!g) {
          cb();
          return;
        }
        const done = this.settleOnce(() => cb());
        this.gzipPending = done;
        // The inflater calls back once it has consumed the whole chunk: the read buffer can be reused.
        g.write(chunk, () => {
          releaseChunk(chunk);
          done();
        });
        return;
      }
      case 'zstd':
        try {
          const all = this.zstdHeld.length > 0 ? Buffer.concat([this.zstdHeld, chunk]) : chunk;
          const checked = this.zstdFrames?.scan(all) ?? all.length;
          this.zstdHeld = Buffer.from(all.subarray(checked));
          if (checked > 0) this.zstd?.push(all.subarray(0, checked), false);
        } catch (e) {
          if (isCustomsError(e)) this.fail(e.code, e.message, e);
          else this.fail('LAYER_CORRUPT', `${this.opts.what}: zstd stream is corrupt (${(e as Error).message})`, e);
        }
        {
          cb();
          return;
        }
      default:
        this.emitOut(chunk);
        {
          cb();
          return;
        }
    }
  }

  private finish(cb: TransformCallback): void {
    if (this.failed) {
      cb(this.failed);
      return;
    }
    if (this.mode === 'gzip' && this.gunzip) {
      const done = this.settleOnce(() => cb(this.failed ?? null));
      this.gzipPending = done;
      this.gunzip.end(done);
      return;
    }
    if (this.mode === 'zstd' && this.zstd) {
      try {
        if (this.zstdHeld.length > 0)
          throw new CustomsError(
            'LAYER_TRUNCATED',
            `${this.opts.what}: zstd stream ends early (inside a frame or block header)`,
          );
        this.zstd.push(new Uint8Array(0), true);
      } catch (e) {
        const truncated = /unexpected EOF|end/i.test((e as Error).message);
        if (isCustomsError(e)) this.fail(e.code, e.message, e);
        else
          this.fail(
            truncated ? 'LAYER_TRUNCATED' : 'LAYER_CORRUPT',
            `${this.opts.what}: zstd stream ${truncated ? 'ends early' : 'is corrupt'} (${(e as Error).message})`,
            e,
          );
      }
    }
    cb(this.failed ?? null);
  }

  private emitOut(d: Buffer): void {
    if (this.failed) return;
    this.outBytes += d.length;
    if (this.outBytes > this.opts.maxSize) {
      this.fail(
        'LAYER_TOO_LARGE',
        `${this.opts.what}: uncompressed size passes the limit of ${this.opts.maxSize} bytes`,
      );
      return;
    }
    if (this.outBytes > RATIO_FLOOR && this.inBytes > 0 && this.outBytes / this.inBytes > this.opts.maxRatio) {
      this.fail(
        'LAYER_TOO_LARGE',
        `${this.opts.what}: expands more than ${this.opts.maxRatio}× (a decompression bomb?)`,
      );
      return;
    }
    this.push(d);
  }

  private fail(code: ErrorCode, message: string, cause?: unknown): void {
    if (this.failed) return;
    this.failed = new CustomsError(code, message, cause);
    this.gunzip?.destroy();
    this.gunzip = undefined;
    this.zstd = undefined;
    this.zstdFrames = undefined;
    this.gzipPending?.();
  }

  /** `f` at most once; clears `gzipPending` when it runs. */
  private settleOnce(f: () => void): () => void {
    let called = false;
    return () => {
      if (called) return;
      called = true;
      this.gzipPending = undefined;
      f();
    };
  }
}
