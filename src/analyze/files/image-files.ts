import type { Analyzer } from '../types.js';
import { ANALYZER_VERSIONS } from '../analyzer-ids.js';

/** Package-manager caches and indexes left in a layer (each pattern with what it is and the fix). */
export const CACHE_PATTERNS: readonly { readonly name: string; readonly pattern: RegExp; readonly fix: string }[] = [
  { name: 'apt package archives', pattern: /^var\/cache\/apt\/archives\/[^/]+\.deb$/, fix: 'apt-get clean' },
  {
    name: 'apt package lists',
    pattern: /^var\/lib\/apt\/lists\/(?!lock$|partial\/|auxfiles\/)[^/]+$/,
    fix: 'rm -rf /var/lib/apt/lists/*',
  },
  {
    name: 'apk cache',
    pattern: /^(?:etc\/apk\/cache|var\/cache\/apk)\/[^/]+\.(?:tar\.gz|apk)$/,
    fix: 'apk add --no-cache',
  },
  { name: 'pip cache', pattern: /^(?:root|home\/[^/]+)\/\.cache\/pip\/.+/, fix: 'pip install --no-cache-dir' },
  { name: 'npm cache', pattern: /^(?:root|home\/[^/]+)\/\.npm\/_cacache\/.+/, fix: 'npm cache clean --force' },
  {
    name: 'yum/dnf cache',
    pattern: /^var\/cache\/(?:yum|dnf)\/.+\.(?:rpm|sqlite(?:\.bz2|\.xz)?|solv|xml\.gz)$/,
    fix: 'yum clean all / dnf clean all',
  },
];

/** A pure test on the path (no leading "/"): is it a package-manager cache file? */
export function isImageCheckPath(path: string): boolean {
  // Cheap first-character gate: every pattern starts under var/, etc/, root/ or home/.
  const c = path.charCodeAt(0);
  if (c !== 118 && c !== 101 && c !== 114 && c !== 104) return false;
  return CACHE_PATTERNS.some((p) => p.pattern.test(path));
}

const SETUID = 0o4000;
const SETGID = 0o2000;

/**
 * Facts the image checks need about files (not their contents): setuid/setgid
 * bits (CIS Docker 4.8) and package-manager caches left behind. Decided from
 * the tar header alone, so `analyze` never looks at the bytes it is handed.
 */
export const imageFiles: Analyzer = {
  name: 'image-files',
  version: ANALYZER_VERSIONS['image-files'],
  wants: (path, info) => (info.mode & (SETUID | SETGID)) !== 0 || isImageCheckPath(path),
  headerOnly: true,
  analyze: (file) => {
    const facts = [];
    if (file.mode & SETUID) facts.push({ kind: 'setuid', mode: file.mode });
    if (file.mode & SETGID) facts.push({ kind: 'setgid', mode: file.mode });
    if (isImageCheckPath(file.path)) facts.push({ kind: 'package-cache', mode: file.mode });
    return { fileFacts: facts };
  },
};
