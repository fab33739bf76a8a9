/**
 * The demo image's layers as in-memory tar archives, written with the
 * project's own ustar/PAX header writer (src/image/tar-writer.ts); owner
 * root:root, fixed modes, so the same files give the same bytes.
 */
import { encodeTarHeader, tarEndOfArchive, tarPadding } from '../src/image/index.js';

export type TarEntry =
  | { readonly path: string; readonly type: 'file'; readonly data: Uint8Array; readonly mtime: number }
  | { readonly path: string; readonly type: 'dir'; readonly mtime: number }
  | { readonly path: string; readonly type: 'symlink'; readonly target: string; readonly mtime: number };

const MODES = { file: 0o644, dir: 0o755, symlink: 0o777 } as const;

/** The whole archive in memory (demo layers are a few kilobytes). */
export function tarArchive(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = e.type === 'file' ? Buffer.from(e.data) : Buffer.alloc(0);
    parts.push(
      encodeTarHeader({
        path: e.path,
        type: e.type,
        size: data.length,
        mode: MODES[e.type],
        mtime: e.mtime,
        uid: 0,
        gid: 0,
        ...(e.type === 'symlink' ? { linkname: e.target } : {}),
      }),
      data,
      tarPadding(data.length),
    );
  }
  parts.push(tarEndOfArchive());
  return Buffer.concat(parts);
}
