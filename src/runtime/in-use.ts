/**
 * "In use": a package whose files a container exec'd or opened at run time.
 * Debian packages own the files their info/<name>.list names (dpkg(1)), read from
 * the running container's root (/proc/PID/root); language packages own the
 * directory of their manifest (node_modules/x/ for node_modules/x/package.json,
 * the site-packages entry for a .dist-info/METADATA). Findings on packages in use
 * sort first: a flaw in code that runs matters before one in code that only sits
 * there.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface PackageLike {
  readonly ecosystem: string;
  readonly name: string;
  readonly paths: readonly string[];
}

/** The package directory a manifest path stands for (no leading slash, trailing slash). */
function ownedDir(p: PackageLike): string | undefined {
  const path = p.paths[0];
  if (!path || p.ecosystem === 'deb' || p.ecosystem === 'rpm' || p.ecosystem === 'apk') return undefined;
  if (/\.(dist|egg)-info\//.test(path))
    return `${join(dirname(dirname(path)), p.name.toLowerCase().replace(/-/g, '_'))}/`;
  return `${dirname(path)}/`;
}

/**
 * /bin, /sbin and /lib* are links into /usr on merged-/usr systems (Debian 12,
 * Fedora …) while dpkg's lists still name /bin/ls: compare both sides under /usr.
 */
const canonical = (rel: string): string => rel.replace(/^(bin|sbin|lib|lib32|lib64|libx32)\//, 'usr/$1/');

/** Names of the packages that own at least one of `files` (absolute paths). */
export async function packagesInUse(
  packages: readonly PackageLike[],
  files: readonly string[],
  rootDir?: string,
): Promise<Set<string>> {
  const used = new Set<string>();
  const rel = new Set(files.map((f) => canonical(f.replace(/^\/+/, ''))));
  for (const p of packages) {
    const dir = ownedDir(p);
    if (dir) {
      for (const f of rel)
        if (f.toLowerCase().startsWith(dir.toLowerCase())) {
          used.add(p.name);
          break;
        }
      continue;
    }
    if (p.ecosystem !== 'deb' || !rootDir) continue;
    const list =
      (await readFile(join(rootDir, 'var/lib/dpkg/info', `${p.name}.list`), 'utf8').catch(() => undefined)) ??
      (await readFile(join(rootDir, 'var/lib/dpkg/info', `${p.name}:amd64.list`), 'utf8').catch(() => undefined));
    if (!list) continue;
    for (const line of list.split('\n'))
      if (rel.has(canonical(line.replace(/^\/+/, '')))) {
        used.add(p.name);
        break;
      }
  }
  return used;
}
