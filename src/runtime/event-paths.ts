/**
 * The file an event names, as the process's own root sees it. The kernel reports the path
 * exactly as the program passed it to openat/execve: relative to the working directory
 * (`cd /etc && echo x >> motd` opens "motd") or with `.`, `..` and `//` in it
 * (`/tmp/../etc/shadow`). Rules that look at where a file lives (a write under /etc, a
 * credentials file) would miss both. A relative path is joined to the task's working
 * directory — /proc/PID/cwd, which the kernel prints relative to the task's own root, so
 * a container's "/etc" reads "/etc" from the host — and the result is folded lexically.
 * When the task is gone before the sensor reads its cwd, the path stays as the program gave
 * it (folded only). Lexical folding does not follow symlinks: `/tmp/link/..` is folded to
 * `/tmp`, where the kernel would follow `link` first.
 */
import { readlinkSync } from 'node:fs';
import { posix } from 'node:path';

export function absolutePath(file: string, pid: number, proc = '/proc'): string {
  if (file === '') return file;
  if (file.startsWith('/')) return posix.normalize(file);
  let cwd: string;
  try {
    cwd = readlinkSync(`${proc}/${pid}/cwd`);
  } catch {
    return posix.normalize(file);
  }
  // A working directory that was removed reads "PATH (deleted)": still where the name resolved.
  if (cwd.endsWith(' (deleted)')) cwd = cwd.slice(0, -' (deleted)'.length);
  if (!cwd.startsWith('/')) return posix.normalize(file);
  return posix.join(cwd, file);
}
