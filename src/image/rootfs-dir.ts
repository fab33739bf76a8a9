/**
 * `dir:` — a root filesystem directory as a one-layer image. The layer's tar
 * stream is generated on the fly; nothing is copied. Symlinks are stored as
 * symlinks, never followed; devices, sockets and fifos are skipped, and so are
 * subtrees on other filesystems (a live `/` has /proc, /sys … mounted).
 *
 * The diffID is a *pseudo* ID: sha256 of a stable listing — a cache key, not
 * the digest of the generated tar (which would need a second full read). It
 * is therefore not verified, and it must change whenever the contents may
 * have: the layer cache serves a layer's packages by this ID.
 *
 * Path, type, size, mtime (seconds) and mode alone do not do that: `cp -a`,
 * `rsync -a`, `tar x` and `touch -d` all reproduce them for other bytes, so a
 * second tree (or the same tree rewritten in place) would be served the
 * first one's packages. The listing therefore also holds, per entry, the
 * device, the inode and the ctime in nanoseconds, plus the root's real path
 * and identity. ctime cannot be set from user space (utimes(2) sets atime
 * and mtime only; every write or metadata change sets ctime to "now"), so
 * equal listings mean the same inodes, untouched since. The one gap is a
 * rewrite within the same kernel clock tick as the previous change (the
 * filesystem's timestamp granularity), which no listing can see; reading
 * every byte to hash it would cost what the cache saves. Caching `dir:` is
 * kept because a host root filesystem is re-scanned often and is the most
 * expensive target to read.
 */
import type { BigIntStats } from 'node:fs';
import { lstat, open, readdir, readlink, realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { CustomsError, type Context, type Digest, sha256, stableJson } from '../core/index.js';
import { makeLayer } from './make-layer.js';
import { hostPlatform } from './platform.js';
import { encodeHeader, endOfArchive, padding, type TarHeader } from './tar/tar-writer.js';
import type { Image, ImageConfig } from './types.js';

const MAX_ENTRIES = 5_000_000;
const CHUNK = 256 * 1024;

interface Entry extends TarHeader {
  /** Absolute path on the host. */
  readonly abs: string;
  /** `dev:ino:ctimeNs`: which inode this is and when it last changed (see the module comment). */
  readonly identity: string;
}

function identityOf(st: BigIntStats): string {
  return `${st.dev}:${st.ino}:${st.ctimeNs}`;
}

export async function listRootfs(root: string): Promise<Entry[]> {
  const top = await lstat(root, { bigint: true }).catch((e: unknown) => {
    throw new CustomsError('IMAGE_NOT_FOUND', `dir:${root}: ${(e as Error).message}`, e);
  });
  if (!top.isDirectory()) throw new CustomsError('IMAGE_FORMAT_INVALID', `dir:${root} is not a directory`);
  const out: Entry[] = [];
  const seen = new Map<string, string>();
  const walk = async (absDir: string, rel: string): Promise<void> => {
    const names = (await readdir(absDir)).sort();
    for (const n of names) {
      const abs = join(absDir, n);
      const path = rel ? `${rel}/${n}` : n;
      let st: BigIntStats;
      try {
        st = await lstat(abs, { bigint: true });
      } catch {
        continue; // vanished while walking
      }
      if (out.length >= MAX_ENTRIES)
        throw new CustomsError('IMAGE_FORMAT_INVALID', `dir:${root} has more than ${MAX_ENTRIES} entries`);
      const base = {
        path,
        abs,
        mode: Number(st.mode),
        mtime: Math.floor(Number(st.mtimeMs) / 1000),
        uid: Number(st.uid),
        gid: Number(st.gid),
        identity: identityOf(st),
      };
      if (st.isSymbolicLink()) {
        out.push({ ...base, type: 'symlink', size: 0, linkname: await readlink(abs) });
      } else if (st.isDirectory()) {
        if (st.dev !== top.dev) continue; // another filesystem mounted here (proc, sysfs, …)
        out.push({ ...base, type: 'dir', size: 0 });
        await walk(abs, path);
      } else if (st.isFile()) {
        if (st.dev !== top.dev) continue;
        const key = `${st.dev}:${st.ino}`;
        const first = Number(st.nlink) > 1 ? seen.get(key) : undefined;
        if (first !== undefined) {
          out.push({ ...base, type: 'hardlink', size: 0, linkname: first });
        } else {
          if (Number(st.nlink) > 1) seen.set(key, path);
          out.push({ ...base, type: 'file', size: Number(st.size) });
        }
      }
      // devices, sockets, fifos: not image content a scanner reads
    }
  };
  await walk(root, '');
  return out;
}

/** Where the tree is and which directory it is: the first line of the listing. */
export async function rootIdentity(root: string): Promise<string> {
  const real = await realpath(root);
  const st = await lstat(real, { bigint: true });
  return `${real}\t${identityOf(st)}`;
}

/** The pseudo diffID (see the module comment). */
export function listingDigest(root: string, entries: readonly Entry[]): Digest {
  const lines = entries.map(
    (e) =>
      `${e.type}\t${e.path}\t${e.size}\t${e.mtime}\t${(e.mode & 0o7777).toString(8)}\t${e.linkname ?? ''}\t${e.identity}`,
  );
  return sha256(['customs-dir-listing/2', root, ...lines].join('\n'));
}

async function* tarStream(entries: readonly Entry[]): AsyncGenerator<Buffer> {
  for (const e of entries) {
    if (e.type !== 'file') {
      yield encodeHeader(e);
      continue;
    }
    let fh: Awaited<ReturnType<typeof open>> | undefined;
    try {
      fh = await open(e.abs, 'r');
    } catch {
      // unreadable or vanished: stored empty so the listing stays consistent
      yield encodeHeader({ ...e, size: 0 });
      continue;
    }
    try {
      yield encodeHeader(e);
      // Exactly the listed size: a file that grew is cut, one that shrank is zero-padded.
      let left = e.size;
      let pos = 0;
      while (left > 0) {
        const buf = Buffer.alloc(Math.min(CHUNK, left));
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        if (bytesRead === 0) {
          yield Buffer.alloc(left);
          break;
        }
        yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
        left -= bytesRead;
        pos += bytesRead;
      }
      yield padding(e.size);
    } finally {
      await fh.close();
    }
  }
  yield endOfArchive();
}

export async function openRootfsDir(path: string, ctx: Context): Promise<Image> {
  const root = resolve(path);
  const name = `dir:${root}`;
  const entries = await listRootfs(root);
  const diffID = listingDigest(await rootIdentity(root), entries);
  const host = hostPlatform();
  const config: ImageConfig = {
    os: 'linux',
    architecture: host.architecture,
    ...(host.variant ? { variant: host.variant } : {}),
    rootfs: { type: 'layers', diff_ids: [diffID] },
  };
  const layer = makeLayer({
    diffID,
    digest: diffID,
    mediaType: 'application/vnd.oci.image.layer.v1.tar',
    compression: 'none',
    verifyBlob: false,
    verifyDiffID: false,
    what: `${name} (generated layer)`,
    limits: ctx.config.limits,
    openBlob: async () => Readable.from(tarStream(entries)),
  });
  return {
    name,
    transport: 'dir',
    repoDigests: [],
    repoTags: [],
    configDigest: sha256(stableJson(config)),
    config,
    layers: [layer],
    close: async () => {},
  };
}
