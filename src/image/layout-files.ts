/**
 * Files of an image on disk, as a directory or as members of a tar archive,
 * behind one interface, so OCI layouts and docker-archives read both the same way.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { CustomsError, type Digest, verifyBytes } from '../core/index.js';
import { readBounded } from './bounded-read.js';
import type { Descriptor } from './manifest.js';
import type { BlobSource } from './image-from-manifest.js';
import type { TarIndex } from './tar-index.js';
import type { FileRange } from './types.js';
import { READ_CHUNK } from './read-chunk.js';

export interface LayoutFiles {
  has(path: string): Promise<boolean>;
  open(path: string, what: string): Promise<Readable>;
  read(path: string, max: number, what: string): Promise<Buffer>;
  /** Where the file's bytes are on disk (`size` as the descriptor says). */
  locate(path: string, size: number): FileRange | undefined;
}

export function dirFiles(root: string): LayoutFiles {
  const abs = resolve(root);
  const inside = (p: string, what: string): string => {
    const full = resolve(join(abs, p));
    // A layout never points outside itself (hostile index.json / manifest.json).
    if (full !== abs && !full.startsWith(abs + sep)) {
      throw new CustomsError('IMAGE_FORMAT_INVALID', `${what}: path "${p}" points outside ${abs}`);
    }
    return full;
  };
  return {
    async has(p) {
      try {
        return (await stat(inside(p, p))).isFile();
      } catch {
        return false;
      }
    },
    async open(p, what) {
      const full = inside(p, what);
      try {
        const s = await stat(full);
        if (!s.isFile()) throw new Error('not a regular file');
      } catch (e) {
        throw new CustomsError('IMAGE_BLOB_MISSING', `${what}: ${full} is missing (${(e as Error).message})`, e);
      }
      return createReadStream(full, { highWaterMark: READ_CHUNK });
    },
    async read(p, max, what) {
      return readBounded(await this.open(p, what), max, `${what} (${p})`);
    },
    locate(p, size) {
      return { path: inside(p, p), start: 0, length: size };
    },
  };
}

export function tarFiles(index: TarIndex): LayoutFiles {
  return {
    async has(p) {
      return index.has(p);
    },
    async open(p, what) {
      return index.open(p, what);
    },
    async read(p, max, what) {
      return index.read(p, max, what);
    },
    locate(p) {
      return index.locate(p);
    },
  };
}

/** `blobs/<alg>/<hex>` (image-spec image-layout.md). */
export function blobPath(d: Digest): string {
  const i = d.indexOf(':');
  return `blobs/${d.slice(0, i)}/${d.slice(i + 1)}`;
}

export function layoutBlobs(files: LayoutFiles, what: string): BlobSource {
  return {
    async open(d: Descriptor) {
      return files.open(blobPath(d.digest), `blob ${d.digest} of ${what}`);
    },
    async read(d: Descriptor, max: number, label: string) {
      const bytes = await files.read(blobPath(d.digest), max, label);
      verifyBytes(bytes, d.digest, label);
      return bytes;
    },
    locate(d: Descriptor) {
      return files.locate(blobPath(d.digest), d.size);
    },
  };
}
