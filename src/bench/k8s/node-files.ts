/**
 * A node's filesystem read under a root directory (`--root`: "/" on the node, or a
 * copy of its files): stats by the path the node sees, text files, the owner names
 * of /etc/passwd and /etc/group of that tree. Paths never leave the root: a ".."
 * or an absolute symlink target is resolved inside it, as a chroot would.
 */
import { lstat, readdir, readFile, readlink, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { CustomsError } from '../../core/index.js';
import type { FileStat } from '../docker/facts.js';

/** Largest file read as a config or manifest (a kubelet config is a few KiB). */
const MAX_FILE = 4 * 1024 * 1024;

export interface NodeTree {
  readonly root: string;
  stat(path: string): Promise<FileStat>;
  text(path: string): Promise<string | undefined>;
  list(dir: string): Promise<string[]>;
  /** "root:root", or numeric ids when the tree's passwd/group do not name them. */
  owner(st: FileStat): string;
}

async function names(root: string, file: string): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  const text = await readFile(join(root, file), 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const parts = line.split(':');
    if (parts[0] && parts[2] !== undefined && /^\d+$/.test(parts[2]) && !out.has(Number(parts[2])))
      out.set(Number(parts[2]), parts[0]);
  }
  return out;
}

/** The host path of a node path, symlinks resolved inside the root (at most 40 hops). */
async function resolveInside(root: string, path: string): Promise<string> {
  let parts = posix.normalize(`/${path}`).split('/').filter(Boolean);
  let done: string[] = [];
  for (let hops = 0; parts.length > 0; ) {
    const next = parts.shift() as string;
    if (next === '..') {
      done.pop();
      continue;
    }
    const host = join(root, ...done, next);
    const st = await lstat(host).catch(() => undefined);
    if (st?.isSymbolicLink()) {
      if (++hops > 40) throw new CustomsError('USAGE_BAD_ARGUMENT', `${path}: too many symbolic links under ${root}`);
      const target = await readlink(host);
      if (target.startsWith('/')) done = [];
      parts = [...target.split('/').filter(Boolean), ...parts];
      continue;
    }
    done.push(next);
  }
  return join(root, ...done);
}

export async function openNodeTree(root: string): Promise<NodeTree> {
  const st = await stat(root).catch((e: unknown) => {
    throw new CustomsError(
      'USAGE_BAD_ARGUMENT',
      `--root ${root}: ${(e as Error).message}; give the node's root directory`,
      e,
    );
  });
  if (!st.isDirectory()) throw new CustomsError('USAGE_BAD_ARGUMENT', `--root ${root} is not a directory`);
  const users = await names(root, 'etc/passwd');
  const groups = await names(root, 'etc/group');
  return {
    root,
    async stat(path) {
      try {
        const s = await stat(await resolveInside(root, path));
        return { path, exists: true, uid: s.uid, gid: s.gid, mode: s.mode & 0o7777, isDirectory: s.isDirectory() };
      } catch {
        return { path, exists: false };
      }
    },
    async text(path) {
      try {
        const host = await resolveInside(root, path);
        const s = await stat(host);
        if (!s.isFile() || s.size > MAX_FILE) return undefined;
        return await readFile(host, 'utf8');
      } catch {
        return undefined;
      }
    },
    async list(dir) {
      const host = await resolveInside(root, dir).catch(() => undefined);
      if (host === undefined) return [];
      return (await readdir(host).catch(() => [] as string[])).sort().map((n) => posix.join(dir, n));
    },
    owner(s) {
      // Well-known ids first: a copied tree without /etc/passwd still names root.
      const u = users.get(s.uid ?? -1) ?? (s.uid === 0 ? 'root' : String(s.uid));
      const g = groups.get(s.gid ?? -1) ?? (s.gid === 0 ? 'root' : String(s.gid));
      return `${u}:${g}`;
    },
  };
}

/** Permission bits within `max` ("600 or more restrictive"). */
export const modeWithin = (mode: number | undefined, max: number): boolean => ((mode ?? 0o7777) & ~max) === 0;
export const octal = (m: number | undefined): string => (m ?? 0).toString(8).padStart(3, '0');

/**
 * Command-line flags as a map, last one wins: "--a=b", "--a b", a bare "--a" is "true".
 * `args` is argv without the program.
 */
export function parseFlags(args: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) out.set(a.slice(2, eq), a.slice(eq + 1));
    else if (i + 1 < args.length && !(args[i + 1] as string).startsWith('--')) out.set(a.slice(2), args[++i] as string);
    else out.set(a.slice(2), 'true');
  }
  return out;
}
