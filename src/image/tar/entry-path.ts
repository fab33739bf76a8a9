/**
 * Where a tar entry lands in the image. Container runtimes clean an entry's
 * name lexically (Go's filepath.Clean) and join it under the layer root
 * inside a chroot, so a leading "/", "." and empty segments vanish, "a/../b"
 * is "b", and a ".." that would climb above the root stays at the root
 * (Docker's overlay2 unpack and containerd's fs.RootPath both land
 * "../../etc/x" at "etc/x"). customs reads the entry at that same place:
 * refusing it would hide from the scan a file the runtime installs. A climb
 * above the root is never written by Docker, BuildKit or the OCI tools, so
 * it is reported (`climbed`) as hostile; nothing outside the image is ever
 * touched, because customs extracts nothing.
 */
export type EntryPath =
  | { readonly ok: true; readonly path: string; readonly climbed: boolean }
  | { readonly ok: false; readonly reason: string };

export function normaliseEntryName(name: string): EntryPath {
  if (name.includes('\0')) return { ok: false, reason: 'NUL byte in entry name' };
  const parts: string[] = [];
  let climbed = false;
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) climbed = true;
      else parts.pop();
    } else parts.push(part);
  }
  return { ok: true, path: parts.join('/'), climbed };
}

/**
 * Resolve a symlink target inside the image, the way a chroot would: relative
 * targets from the link's directory, absolute ones from the image root, ".."
 * at the root stays at the root. Never touches the host filesystem.
 */
export function resolveLinkTarget(linkPath: string, target: string): string {
  const base = target.startsWith('/') ? [] : linkPath.split('/').slice(0, -1);
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') base.pop();
    else base.push(part);
  }
  return base.join('/');
}
