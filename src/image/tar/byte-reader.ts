import type { Readable } from 'node:stream';
import { releaseChunk } from '../chunk-pool.js';

/**
 * Pull-based reader over a byte stream: exact reads and cheap skips, without
 * copying what is skipped. Ends are reported as `null` (clean end) so callers
 * can tell a truncated stream from a finished one.
 *
 * A `read` inside one chunk returns a view of it, valid until the next call:
 * when the reader moves to the next chunk it hands the previous one back to
 * the chunk pool (chunk-pool.ts), which reuses it for a later read.
 */
export class ByteReader {
  private readonly iter: AsyncIterator<Buffer>;
  private chunk: Buffer = Buffer.alloc(0);
  private offset = 0;
  private done = false;
  /** Total bytes consumed so far (position in the stream). */
  position = 0;

  constructor(stream: Readable | AsyncIterable<Buffer>) {
    this.iter = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  private async fill(): Promise<boolean> {
    while (this.offset >= this.chunk.length) {
      if (this.done) return false;
      const r = await this.iter.next();
      if (r.done) {
        this.done = true;
        return false;
      }
      releaseChunk(this.chunk);
      this.chunk = r.value;
      this.offset = 0;
    }
    return true;
  }

  /**
   * The next n bytes, when the current chunk holds them all (a view, as `read` gives), without
   * waiting; undefined (and nothing consumed) otherwise. Most tar headers and the skips between
   * them fall inside one chunk: taking them here spares the walk a promise per step.
   */
  tryRead(n: number): Buffer | undefined {
    if (this.offset + n > this.chunk.length) return undefined;
    const out = this.chunk.subarray(this.offset, this.offset + n);
    this.offset += n;
    this.position += n;
    return out;
  }

  /** Skip n bytes when the current chunk holds them all; false (and nothing skipped) otherwise. */
  trySkip(n: number): boolean {
    if (this.offset + n > this.chunk.length) return false;
    this.offset += n;
    this.position += n;
    return true;
  }

  /** Read exactly n bytes, or return the bytes that were available before the end (shorter). */
  async read(n: number): Promise<Buffer> {
    const inChunk = this.tryRead(n);
    if (inChunk !== undefined) return inChunk;
    const out = Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n) {
      if (!(await this.fill())) break;
      const take = Math.min(n - got, this.chunk.length - this.offset);
      this.chunk.copy(out, got, this.offset, this.offset + take);
      this.offset += take;
      got += take;
    }
    this.position += got;
    return got === n ? out : out.subarray(0, got);
  }

  /** Read exactly `n` bytes into `target` at `offset`; returns how many were read (less at the end). */
  async readInto(target: Buffer, offset: number, n: number): Promise<number> {
    let got = 0;
    while (got < n) {
      if (!(await this.fill())) break;
      const take = Math.min(n - got, this.chunk.length - this.offset);
      this.chunk.copy(target, offset + got, this.offset, this.offset + take);
      this.offset += take;
      got += take;
    }
    this.position += got;
    return got;
  }

  /** Skip n bytes; returns how many were skipped (less than n at the end of the stream). */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      if (!(await this.fill())) break;
      const take = Math.min(left, this.chunk.length - this.offset);
      this.offset += take;
      left -= take;
    }
    this.position += n - left;
    return n - left;
  }

  /** Drain the rest of the stream (so digest verification at its end runs). */
  async drain(): Promise<void> {
    while (await this.fill()) {
      this.position += this.chunk.length - this.offset;
      this.offset = this.chunk.length;
    }
  }

  /** Stop reading: lets the source stream clean up. */
  async close(): Promise<void> {
    this.done = true;
    releaseChunk(this.chunk);
    this.chunk = Buffer.alloc(0);
    this.offset = 0;
    await this.iter.return?.();
  }
}
