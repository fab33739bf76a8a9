import { CustomsError, type PackageFact } from '../../core/index.js';
import type { Analyzer } from '../types.js';
import { ANALYZER_VERSIONS } from '../analyzer-ids.js';

/** apk-tools v2 keeps its database in lib/apk/db; v3 (usr-merged layouts) in usr/lib/apk/db. */
export const APK_INSTALLED_PATHS = ['lib/apk/db/installed', 'usr/lib/apk/db/installed'] as const;

interface Draft {
  name?: string;
  version?: string;
  arch?: string;
  origin?: string;
  license?: string;
  files: string[];
}

/**
 * apk-tools' installed database (apk-tools doc "Installed database" / the
 * PKGINFO letters): one record per package, records separated by a blank
 * line, each line "<letter>:<value>". P name, V version, A arch, L license,
 * o origin (source package), F a directory (relative to /), R a file in the
 * last F directory; other letters (C checksum, t build time, c commit, m
 * maintainer, M/a ACLs, Z file checksum, D/p/i dependencies …) are not needed.
 * A package's `files` lists its F folders and R files, as the database records
 * them (dpkg lists and rpm file lists include owned directories too).
 */
export function parseApkInstalled(text: string, source: string): { packages: PackageFact[]; ownedFiles: string[] } {
  const packages: PackageFact[] = [];
  const owned: string[] = [];
  let d: Draft = { files: [] };
  let dir = '';
  let line = 0;

  const flush = (): void => {
    if (d.name === undefined && d.version === undefined && d.files.length === 0) return;
    if (!d.name || !d.version) {
      throw new CustomsError(
        'ANALYZE_FILE_INVALID',
        `${source}: the record ending at line ${line} has no ${d.name ? 'V: (version)' : 'P: (name)'} line; the apk database is corrupt`,
      );
    }
    const fact: PackageFact = {
      ecosystem: 'apk',
      name: d.name,
      version: d.version,
      // The origin is the aport the package was built from, at the same version.
      source: { name: d.origin || d.name, version: d.version },
      files: d.files,
      ...(d.arch ? { arch: d.arch } : {}),
      ...(d.license ? { license: d.license } : {}),
    };
    packages.push(fact);
    for (const f of d.files) owned.push(f);
    d = { files: [] };
    dir = '';
  };

  for (const raw of text.split('\n')) {
    line++;
    const l = raw.replace(/\r$/, '');
    if (l.trim() === '') {
      flush();
      continue;
    }
    if (l.length < 2 || l[1] !== ':') {
      throw new CustomsError(
        'ANALYZE_FILE_INVALID',
        `${source}: line ${line} is not "<letter>:<value>" (${JSON.stringify(l.slice(0, 60))}); the apk database is corrupt`,
      );
    }
    const value = l.slice(2);
    switch (l[0]) {
      case 'P':
        if (d.name !== undefined) flush(); // tolerate a missing blank line between records
        d.name = value;
        break;
      case 'V':
        d.version = value;
        break;
      case 'A':
        d.arch = value;
        break;
      case 'o':
        d.origin = value;
        break;
      case 'L':
        d.license = value;
        break;
      case 'F':
        dir = value.replace(/^\/+|\/+$/g, '');
        if (dir !== '') d.files.push(dir);
        break;
      case 'R':
        // Image paths carry no leading "/"; an R: line before any F: line is relative to the root.
        d.files.push(dir === '' ? value.replace(/^\/+/, '') : `${dir}/${value}`);
        break;
      default:
        break;
    }
  }
  flush();
  return { packages, ownedFiles: owned };
}

export const apkInstalled: Analyzer = {
  name: 'apk-installed',
  version: ANALYZER_VERSIONS['apk-installed'],
  wants: (path) => path === 'lib/apk/db/installed' || path === 'usr/lib/apk/db/installed',
  analyze: (file) => parseApkInstalled(file.text(), file.path),
};
