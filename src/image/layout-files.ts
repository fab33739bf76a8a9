/**
 * Files of an image on disk, as a directory or as members of a tar archive,
 * behind one interface, so OCI layouts and docker-archives read both the same way.
 *
 * A layout directory is read only through regular files and directories
 * inside it: every path component below the layout root is checked with
 * lstat, and a symbolic link anywhere (index.json, oci-layout, blobs/,
 * blobs/sha256/, a blob) is refused. A symlinked index.json would otherwise
 * make customs parse — and quote in its errors — any file the scanning user
 * can read; image-spec image-layout.md describes these entries as files and
 * directories, and skopeo, containerd and docker never write links there.
 * The final open also uses O_NOFOLLOW, so a file swapped for a link after
 * the check is not followed either.
 */
import { constants, lstatSync } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { CustomsError, type Digest, verifyBytes } from '../core/index.js';
import { readBounded } from './bounded-read.js';
import type { Descriptor } from './manifest.js';
import type { BlobSource } from './image-from-manifest.js';
import type { TarIndex } from './tar-index.js';
import type { FileRange } from './types.js';
import { fileRangeStream } from './file-range-stream.js';

export interface LayoutFiles {
  has(path: string): Promise<boolean>;
  open(path: string, what: string): Promise<Readable>;
  read(path: string, max: number, what: string): Promise<Buffer>;
  /** Where the file's bytes are on disk (`size` as the descriptor says). */
  locate(path: string, size: number): FileRange | undefined;
}

function symlinkRefused(abs: string, component: string, what: string): CustomsError {
  return new CustomsError(
    'IMAGE_FORMAT_INVALID',
    `${what}: ${relative(abs, component)} in the layout ${abs} is a symbolic link; customs reads a layout only through regular files inside it (copy the layout with skopeo copy, or replace the link by the file)`,
  );
}

/** Each component of `full` below `abs`, shallowest first. */
function componentsBelow(abs: string, full: string): string[] {
  const out: string[] = [];
  let cur = abs;
  for (const part of relative(abs, full).split(sep)) {
    if (part === '') continue;
    cur = join(cur, part);
    out.push(cur);
  }
  return out;
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
  /** lstat every component below the root: undefined when one is missing; symlinks refused. */
  const check = async (full: string, what: string): Promise<Awaited<ReturnType<typeof lstat>> | undefined> => {
    let last: Awaited<ReturnType<typeof lstat>> | undefined;
    for (const c of componentsBelow(abs, full)) {
      try {
        last = await lstat(c);
      } catch {
        return undefined;
      }
      if (last.isSymbolicLink()) throw symlinkRefused(abs, c, what);
    }
    return last;
  };
  return {
    async has(p) {
      const st = await check(inside(p, p), p);
      return st?.isFile() === true;
    },
    async open(p, what) {
      const full = inside(p, what);
      const st = await check(full, what);
      if (!st?.isFile()) {
        throw new CustomsError(
          'IMAGE_BLOB_MISSING',
          `${what}: ${full} is missing (${st ? 'not a regular file' : 'no such file'})`,
        );
      }
      let fh: Awaited<ReturnType<typeof open>>;
      try {
        fh = await open(full, constants.O_RDONLY | constants.O_NOFOLLOW);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw symlinkRefused(abs, full, what);
        throw new CustomsError('IMAGE_BLOB_MISSING', `${what}: ${full} is missing (${(e as Error).message})`, e);
      }
      return fileRangeStream({ handle: fh });
    },
    async read(p, max, what) {
      return readBounded(await this.open(p, what), max, `${what} (${p})`);
    },
    locate(p, size) {
      // Layer workers read this path directly: it gets the same check, here and now.
      const full = inside(p, p);
      for (const c of componentsBelow(abs, full)) {
        let st: ReturnType<typeof lstatSync>;
        try {
          st = lstatSync(c);
        } catch {
          return undefined; // missing: open() reports it when the layer is read
        }
        if (st.isSymbolicLink()) throw symlinkRefused(abs, c, `blob ${p}`);
      }
      return { path: full, start: 0, length: size };
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
