/**
 * Normalise a tar entry name into an image path (no leading "/", no "." parts)
 * or say why it is refused. Layers written by Docker, BuildKit and the OCI
 * tools never hold absolute names or ".." parts; an entry that does is hostile
 * (CVE-2019-14271-style traversal) and is refused, never followed.
 */
export type EntryPath = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: string };

export function normaliseEntryName(name: string): EntryPath {
  if (name.startsWith('/')) return { ok: false, reason: `absolute path "${name}"` };
  if (name.includes('\0')) return { ok: false, reason: 'NUL byte in entry name' };
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') return { ok: false, reason: `".." in "${name}" (path traversal)` };
    parts.push(part);
  }
  return { ok: true, path: parts.join('/') };
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
