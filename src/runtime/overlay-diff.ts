/**
 * A container's writable layer compared with its image, read from the overlay
 * directories the storage driver reports (Docker's GraphDriver.Data for overlay2:
 * UpperDir, LowerDir = "top:…:bottom").
 *
 * Overlay semantics (Linux Documentation/filesystems/overlayfs.rst):
 * - a file in the upper dir hides the same path below it: "changed" when a lower
 *   layer has it, "added" otherwise (a metadata-only change copies the file up
 *   too: its bytes are compared, so chmod/chown alone reads as `contentChanged: false`);
 * - a whiteout — a character device with device number 0/0 — deletes the path;
 * - a directory with the xattr trusted.overlay.opaque="y" (user.overlay.opaque with
 *   the userxattr mount option) hides everything below it in the lower layers.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

export const DRIFT_KINDS = ['added', 'changed', 'deleted', 'opaque'] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

export type FileType = 'file' | 'dir' | 'symlink' | 'other';

export interface DriftEntry {
  /** No leading slash, as in the inventory. */
  readonly path: string;
  readonly kind: DriftKind;
  readonly type: FileType;
  readonly size?: number;
  /** Permission bits, octal text (0755). */
  readonly mode?: string;
  readonly sha256?: string;
  /** The bytes the image had at this path (changed files). */
  readonly imageSha256?: string;
  /** changed: false when only metadata (mode, owner, times) changed. */
  readonly contentChanged?: boolean;
  /** An executable: ELF binary or a script with a shebang, with an exec bit. */
  readonly executable?: 'elf' | 'script';
  readonly linkTarget?: string;
}

export interface OverlayDiff {
  readonly entries: readonly DriftEntry[];
  readonly notes: readonly string[];
}

/** Files larger than this are not hashed (their size and kind are still reported). */
export const HASH_LIMIT = 256 * 1024 * 1024;
/** Upper dirs with more entries than this are cut (a note says so). */
const MAX_ENTRIES = 1_000_000;

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return `sha256:${h.digest('hex')}`;
}

/** ELF magic (\x7fELF, ELF spec "e_ident") or "#!" (execve(2): an interpreter script). */
export async function executableKind(path: string, st: Stats): Promise<'elf' | 'script' | undefined> {
  if (!st.isFile() || (st.mode & 0o111) === 0) return undefined;
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(4);
    const { bytesRead } = await fh.read(b, 0, 4, 0);
    if (bytesRead >= 4 && b[0] === 0x7f && b.subarray(1, 4).toString('latin1') === 'ELF') return 'elf';
    if (bytesRead >= 2 && b.subarray(0, 2).toString('latin1') === '#!') return 'script';
    return undefined;
  } finally {
    await fh.close();
  }
}

const typeOf = (st: Stats): FileType =>
  st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'other';

const isWhiteout = (st: Stats): boolean => st.isCharacterDevice() && st.rdev === 0;

/**
 * The opaque directories of an upper dir, through getfattr (attr package): Node
 * has no xattr API. Without getfattr the answer is undefined and a note says so.
 */
export async function opaqueDirs(upperDir: string): Promise<Set<string> | undefined> {
  return new Promise((resolve) => {
    const child = spawn(
      'getfattr',
      ['--absolute-names', '-R', '-P', '-d', '-m', '^(trusted|user)\\.overlay\\.opaque$', upperDir],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const out: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.on('error', () => resolve(undefined));
    child.on('close', () => {
      const dirs = new Set<string>();
      let current: string | undefined;
      for (const line of Buffer.concat(out).toString('utf8').split('\n')) {
        if (line.startsWith('# file: ')) current = line.slice('# file: '.length);
        else if (current && /overlay\.opaque="y"$/.test(line)) dirs.add(current);
      }
      resolve(dirs);
    });
  });
}

async function lstatOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await lstat(p);
  } catch {
    return undefined;
  }
}

/** The path as the image has it: the topmost lower layer holding it (a whiteout there means absent). */
async function inImage(lowerDirs: readonly string[], rel: string): Promise<{ abs: string; st: Stats } | undefined> {
  for (const dir of lowerDirs) {
    const abs = join(dir, rel);
    const st = await lstatOrUndefined(abs);
    if (st) return isWhiteout(st) ? undefined : { abs, st };
  }
  return undefined;
}

export async function overlayDiff(upperDir: string, lowerDirs: readonly string[]): Promise<OverlayDiff> {
  const notes: string[] = [];
  const opaque = await opaqueDirs(upperDir);
  if (!opaque) notes.push('opaque directories not detected: getfattr (Debian package attr) is not installed');
  const entries: DriftEntry[] = [];
  let count = 0;
  // Below an opaque directory nothing of the image shows through: every entry there is new.
  const walk = async (absDir: string, relDir: string, hidden: boolean): Promise<void> => {
    const names = (await readdir(absDir)).sort();
    for (const name of names) {
      if (++count > MAX_ENTRIES) {
        if (count === MAX_ENTRIES + 1)
          notes.push(`more than ${MAX_ENTRIES} entries in the upper dir: the rest is not listed`);
        return;
      }
      const abs = join(absDir, name);
      const rel = relDir === '' ? name : `${relDir}/${name}`;
      const st = await lstat(abs);
      if (isWhiteout(st)) {
        const was = hidden ? undefined : await inImage(lowerDirs, rel);
        entries.push({ path: rel, kind: 'deleted', type: was ? typeOf(was.st) : 'other' });
        continue;
      }
      const below = hidden ? undefined : await inImage(lowerDirs, rel);
      if (st.isDirectory()) {
        const isOpaque = opaque?.has(abs) === true;
        if (isOpaque && below) entries.push({ path: rel, kind: 'opaque', type: 'dir', mode: modeOf(st) });
        else if (!below) entries.push({ path: rel, kind: 'added', type: 'dir', mode: modeOf(st) });
        await walk(abs, rel, hidden || isOpaque);
        continue;
      }
      const type = typeOf(st);
      const entry: Record<string, unknown> = { path: rel, kind: below ? 'changed' : 'added', type, mode: modeOf(st) };
      if (st.isFile()) {
        entry.size = st.size;
        if (st.size <= HASH_LIMIT) entry.sha256 = await sha256File(abs);
        const exe = await executableKind(abs, st);
        if (exe) entry.executable = exe;
        if (below?.st.isFile() && below.st.size <= HASH_LIMIT) {
          entry.imageSha256 = await sha256File(below.abs);
          entry.contentChanged = entry.imageSha256 !== entry.sha256;
        } else if (below) entry.contentChanged = true;
      } else if (st.isSymbolicLink()) {
        entry.linkTarget = await readlink(abs);
        if (below)
          entry.contentChanged = !below.st.isSymbolicLink() || (await readlink(below.abs)) !== entry.linkTarget;
      }
      entries.push(entry as unknown as DriftEntry);
    }
  };
  await walk(upperDir, '', false);
  return { entries, notes };
}

const modeOf = (st: Stats): string => (st.mode & 0o7777).toString(8).padStart(4, '0');
