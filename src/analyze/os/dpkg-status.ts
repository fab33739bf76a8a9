import { CustomsError, type PackageFact } from '../../core/index.js';
import type { Analyzer } from '../types.js';
import { type Deb822Paragraph, parseDeb822 } from './parse-deb822.js';
import { ANALYZER_VERSIONS } from '../analyzer-ids.js';

export const DPKG_STATUS = 'var/lib/dpkg/status';
/** Distroless images: one deb822 file per package, no Status field, `.md5sums` siblings. */
export const DPKG_STATUS_D = 'var/lib/dpkg/status.d/';

/** A status.d entry describing a package (not its md5sums sibling, not a nested path). */
export function isStatusDEntry(path: string): boolean {
  if (!path.startsWith(DPKG_STATUS_D)) return false;
  const base = path.slice(DPKG_STATUS_D.length);
  return base !== '' && !base.includes('/') && !base.endsWith('.md5sums');
}

/**
 * Distroless (Debian packages recorded in status.d, no dpkg status file):
 * pass the paths of the merged image's dpkg facts; the result is pickOs's flag.
 */
export function isDistrolessDpkg(paths: Iterable<string>): boolean {
  let statusD = false;
  for (const p of paths) {
    if (p === DPKG_STATUS) return false;
    if (isStatusDEntry(p)) statusD = true;
  }
  return statusD;
}

/**
 * deb-status(5): Status is "want flag state"; a package is on the system only
 * in state "installed" ("install ok installed", also "hold ok installed");
 * "half-installed", "config-files", "not-installed" … are not.
 */
function isInstalled(status: string | undefined): boolean {
  if (status === undefined) return true; // status.d entries carry no Status field: they are installed
  const words = status.trim().split(/\s+/);
  return words.length === 3 && words[2] === 'installed';
}

/** `Source: name` or `Source: name (version)` (deb-control(5); the version differs after a binNMU). */
function sourceOf(field: string | undefined, name: string, version: string): { name: string; version: string } {
  if (!field) return { name, version };
  const m = /^(\S+)(?:\s*\(([^)]+)\))?/.exec(field.trim());
  if (!m) return { name, version };
  return { name: m[1] as string, version: m[2]?.trim() || version };
}

function packageOf(p: Deb822Paragraph, source: string): PackageFact | undefined {
  if (!isInstalled(p.get('status'))) return undefined;
  const name = p.get('package');
  const version = p.get('version');
  if (!name || !version) {
    throw new CustomsError(
      'ANALYZE_FILE_INVALID',
      `${source}: an installed package paragraph lacks ${name ? `Version (package ${name})` : 'Package'}; the dpkg database is corrupt`,
    );
  }
  const arch = p.get('architecture');
  const fact: PackageFact = {
    ecosystem: 'deb',
    name,
    // dpkg prints the epoch inside the version ("1:2.36-9"); kept as dpkg-query shows it.
    version,
    source: sourceOf(p.get('source'), name, version),
  };
  return arch ? { ...fact, arch } : fact;
}

/** The installed packages a dpkg status file (or one status.d entry) records. */
export function parseDpkgStatus(text: string, source: string): PackageFact[] {
  const out: PackageFact[] = [];
  for (const p of parseDeb822(text, source)) {
    const fact = packageOf(p, source);
    if (fact) out.push(fact);
  }
  return out;
}

export const dpkgStatus: Analyzer = {
  name: 'dpkg-status',
  version: ANALYZER_VERSIONS['dpkg-status'],
  wants: (path) => path === DPKG_STATUS || isStatusDEntry(path),
  analyze: (file) => ({ packages: parseDpkgStatus(file.text(), file.path) }),
};
