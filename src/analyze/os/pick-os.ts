import type { OsInfo } from '../../core/index.js';
import { DISTRO_RELEASE_PATHS } from './distro-release.js';
import { OS_RELEASE_PATHS } from './os-release.js';

export interface OsFact {
  readonly path: string;
  readonly os: OsInfo;
}

export interface PickOsOptions {
  /** The image is distroless (dpkg status.d without a dpkg status file, see isDistrolessDpkg). */
  readonly distroless?: boolean;
}

/**
 * Choose the image's OS among the facts of every release file it has.
 *
 * 1. os-release beats the distro files (it is the standard, os-release(5)),
 *    and etc/os-release beats usr/lib/os-release ("/etc/os-release takes
 *    precedence"). With no os-release, the most specific distro file wins
 *    (order of DISTRO_RELEASE_PATHS: centos-release before redhat-release …).
 * 2. A distro file of the SAME family completes the chosen fact:
 *    - a missing VERSION_ID (Debian testing/sid) takes the file's version
 *      ("trixie/sid");
 *    - a version that the file refines with more dotted components takes the
 *      refinement: Debian "12" + debian_version "12.5" → "12.5", CentOS "7" +
 *      centos-release "7.9.2009" → "7.9.2009". This is the exact release the
 *      image has; matchers key on the part their feed uses (the major release
 *      for Debian and RHEL-likes, major.minor for Alpine).
 *    - a missing codename is filled in.
 *    A file of another family never mixes in (Ubuntu ships a debian_version
 *    saying "bookworm/sid").
 */
export function pickOs(results: readonly OsFact[], options: PickOsOptions = {}): OsInfo | undefined {
  const rank = (path: string): number => {
    const i = (OS_RELEASE_PATHS as readonly string[]).indexOf(path);
    if (i >= 0) return i;
    const j = (DISTRO_RELEASE_PATHS as readonly string[]).indexOf(path);
    return j >= 0 ? OS_RELEASE_PATHS.length + j : Number.MAX_SAFE_INTEGER;
  };
  const sorted = [...results].sort((a, b) => rank(a.path) - rank(b.path) || a.path.localeCompare(b.path));
  const base = sorted[0];
  if (!base) return undefined;
  let os: OsInfo = base.os;
  for (const other of sorted.slice(1)) {
    if (other.os.family !== os.family) continue;
    const v = other.os.version;
    if (os.version === '' && v !== '') os = { ...os, version: v };
    else if (v.startsWith(`${os.version}.`)) os = { ...os, version: v };
    if (os.codename === undefined && other.os.codename !== undefined) os = { ...os, codename: other.os.codename };
  }
  return options.distroless ? { ...os, distroless: true } : os;
}
