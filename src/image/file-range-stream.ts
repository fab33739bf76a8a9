/**
 * A byte range of a local file as a stream of pooled chunks (chunk-pool.ts):
 * what every layer read from disk goes through (docker-archive members, OCI
 * layout blobs, layer workers reading either). Unlike fs.createReadStream, each
 * read lands in a recycled buffer instead of a new one.
 */
import { close, open, read } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { releaseChunk, takeChunk } from './chunk-pool.js';

type Source =
  | { readonly path: string; readonly flags?: number }
  /** An open file: the stream closes it when it ends or is destroyed. */
  | { readonly handle: FileHandle };

class FileRangeStream extends Readable {
  private fd = -1;
  private pos: number;
  private left: number;

  constructor(
    private readonly source: Source,
    start: number,
    length: number,
  ) {
    super({ highWaterMark: 1 });
    this.pos = start;
    this.left = length;
  }

  override _construct(cb: (err?: Error | null) => void): void {
    if ('handle' in this.source) {
      this.fd = this.source.handle.fd;
      cb();
      return;
    }
    open(this.source.path, this.source.flags ?? 'r', (err, fd) => {
      if (err) return cb(err);
      this.fd = fd;
      cb();
    });
  }

  override _read(): void {
    if (this.left <= 0) {
      this.push(null);
      return;
    }
    const chunk = takeChunk();
    read(this.fd, chunk, 0, Math.min(chunk.length, this.left), this.pos, (err, n) => {
      if (err || n === 0) releaseChunk(chunk);
      if (err) {
        this.destroy(err);
        return;
      }
      // A file shorter than the range ends the stream early: callers check lengths and digests.
      if (n === 0) {
        this.push(null);
        return;
      }
      this.pos += n;
      this.left -= n;
      this.push(chunk.subarray(0, n));
    });
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if ('handle' in this.source) {
      this.source.handle.close().then(
        () => cb(err),
        (e: Error) => cb(err ?? e),
      );
      return;
    }
    if (this.fd < 0) {
      cb(err);
      return;
    }
    close(this.fd, (e) => cb(err ?? e));
  }
}

/** `length` bytes of the file at `path` (or of an open handle) from `start`, in pooled chunks. */
export function fileRangeStream(source: Source, start = 0, length = Number.POSITIVE_INFINITY): Readable {
  return new FileRangeStream(source, start, length);
}
