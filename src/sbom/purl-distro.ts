/**
 * The distro release an SBOM states only in its packages' purls. The purl
 * spec's OS types (PURL-TYPES: deb, rpm, apk) carry the release in a
 * `distro` qualifier, and generators spell it several ways:
 *   - purl-spec examples: `pkg:deb/debian/curl@…?distro=jessie` (a code name),
 *     `pkg:rpm/fedora/curl@…?distro=fedora-25` (ID-VERSION);
 *   - os-release ID-VERSION_ID: `distro=debian-12`, `ubuntu-22.04`, `rhel-8.9`,
 *     `alpine-3.19.1`;
 *   - a bare VERSION_ID, the family being the purl namespace: `distro=3.19.1`,
 *     `distro=12`.
 * Each is read as os-release would say it (family = ID, version = VERSION_ID),
 * code names turned into releases for Debian and Ubuntu.
 */
import { PackageURL } from 'packageurl-js';
import type { OsInfo } from '../core/index.js';
import { DEBIAN_CODENAMES, osDistroKey } from '../vulndb/index.js';

/** Ubuntu code names → VERSION_ID (https://wiki.ubuntu.com/Releases). */
const UBUNTU_CODENAMES: Readonly<Record<string, string>> = {
  trusty: '14.04',
  xenial: '16.04',
  bionic: '18.04',
  focal: '20.04',
  groovy: '20.10',
  hirsute: '21.04',
  impish: '21.10',
  jammy: '22.04',
  kinetic: '22.10',
  lunar: '23.04',
  mantic: '23.10',
  noble: '24.04',
  oracular: '24.10',
  plucky: '25.04',
  questing: '25.10',
};

/**
 * purl namespaces and distro names that are not the os-release ID of the
 * release they name: Red Hat's purl namespace is "redhat" (Red Hat's purl
 * guide), its os-release ID "rhel"; "rocky"/"almalinux" are also written in
 * full. Keys are lower case.
 */
const FAMILY_ALIASES: Readonly<Record<string, string>> = {
  redhat: 'rhel',
  'red-hat': 'rhel',
  'rocky-linux': 'rocky',
  rockylinux: 'rocky',
  alma: 'almalinux',
  sle: 'sles',
  suse: 'sles',
  opensuse: 'opensuse-leap',
};

/** The os-release IDs a release can be named with (`--distro NAME:VERSION`, purl qualifiers). */
export const DISTRO_NAMES: readonly string[] = [
  'alpine',
  'almalinux',
  'chainguard',
  'debian',
  'opensuse-leap',
  'opensuse-tumbleweed',
  'rhel',
  'rocky',
  'sled',
  'sle-micro',
  'sles',
  'ubuntu',
  'wolfi',
];

const KNOWN = new Set(DISTRO_NAMES);
/** Family names, longest first, so "opensuse-leap-15.5" is not read as "opensuse" + "leap-15.5". */
const PREFIXES = [...DISTRO_NAMES, ...Object.keys(FAMILY_ALIASES)].sort((a, b) => b.length - a.length);

function family(name: string): string | undefined {
  const lower = name.trim().toLowerCase();
  const f = FAMILY_ALIASES[lower] ?? lower;
  return KNOWN.has(f) ? f : undefined;
}

/** A release named by family and a version or code name; undefined when it is neither. */
export function distroRelease(familyName: string, release: string): OsInfo | undefined {
  const f = family(familyName);
  const r = release.trim().toLowerCase();
  if (f === undefined || r.length > 64) return undefined;
  if (/^v?\d+(\.\d+)*$/.test(r)) {
    const version = r.replace(/^v/, '');
    return { family: f, version, name: `${f} ${version}` };
  }
  const codenames = f === 'debian' ? DEBIAN_CODENAMES : f === 'ubuntu' ? UBUNTU_CODENAMES : undefined;
  const version = codenames?.[r];
  if (version !== undefined && /^\d/.test(version)) return { family: f, version, name: `${f} ${version}`, codename: r };
  // Releases named without a number: rolling distros.
  if (r === '' && (f === 'wolfi' || f === 'chainguard' || f === 'opensuse-tumbleweed'))
    return { family: f, version: '', name: f };
  return undefined;
}

/**
 * The release a purl's `distro` qualifier names, the purl namespace standing
 * in for the family when the qualifier gives only a version or code name.
 * Undefined for other purls and for qualifiers that name no known release.
 */
export function osFromPurl(purl: string): OsInfo | undefined {
  let p: PackageURL;
  try {
    p = PackageURL.fromString(purl);
  } catch {
    return undefined;
  }
  if (p.type !== 'deb' && p.type !== 'rpm' && p.type !== 'apk') return undefined;
  const distro = p.qualifiers?.distro?.trim();
  if (distro === undefined || distro === '') return undefined;
  const lower = distro.toLowerCase();
  for (const prefix of PREFIXES) {
    if (lower === prefix) return distroRelease(prefix, '');
    if (lower.startsWith(`${prefix}-`)) return distroRelease(prefix, lower.slice(prefix.length + 1));
  }
  return p.namespace !== undefined ? distroRelease(p.namespace, lower) : undefined;
}

/** What the packages' `distro` qualifiers say about the SBOM's release. */
export type SbomDistro =
  | { readonly kind: 'none' }
  | { readonly kind: 'one'; readonly os: OsInfo }
  /** Qualifiers name releases with different advisories: listed, sorted. */
  | { readonly kind: 'conflict'; readonly releases: readonly string[] };

/**
 * The one release every OS package's `distro` qualifier names. Qualifiers that
 * spell the same release differently ("debian-12", "bookworm", "12.4") agree
 * when they select the same advisories; the most precise version is kept.
 */
export function sbomDistro(purls: Iterable<string>): SbomDistro {
  const byKey = new Map<string, OsInfo>();
  for (const purl of purls) {
    const os = osFromPurl(purl);
    if (os === undefined) continue;
    const key = osDistroKey(os) ?? `${os.family} ${os.version}`;
    const seen = byKey.get(key);
    if (seen === undefined || os.version.length > seen.version.length)
      byKey.set(
        key,
        seen?.codename !== undefined && os.codename === undefined ? { ...os, codename: seen.codename } : os,
      );
  }
  if (byKey.size === 0) return { kind: 'none' };
  const all = [...byKey.values()];
  if (all.length === 1 && all[0] !== undefined) return { kind: 'one', os: all[0] };
  return { kind: 'conflict', releases: all.map((o) => `${o.family}-${o.version}`).sort() };
}
