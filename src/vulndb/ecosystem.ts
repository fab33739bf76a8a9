/**
 * One key per ecosystem and distro release. OSV spells releases in several
 * ways ("Ubuntu:22.04:LTS", "Red Hat:enterprise_linux:9::appstream",
 * "Alpine:v3.19"); the DB stores, and matchers ask with, the normalised key
 * returned here. The table is documented in docs/vulndb.md — keep both in step.
 * OSV ecosystem list: https://ossf.github.io/osv-schema/#affectedpackage-field
 */
import { type Ecosystem, pep503 } from '../core/index.js';
import type { FeedEcosystem } from './types.js';

/** Language ecosystems, by OSV name (lower-cased) → canonical OSV spelling. */
const LANGUAGE: Readonly<Record<string, string>> = {
  npm: 'npm',
  pypi: 'PyPI',
  go: 'Go',
  maven: 'Maven',
  'crates.io': 'crates.io',
  rubygems: 'RubyGems',
  packagist: 'Packagist',
  nuget: 'NuGet',
  hex: 'Hex',
  pub: 'Pub',
};

/** Distro families, by OSV name (lower-cased) → canonical spelling. */
const DISTRO: Readonly<Record<string, string>> = {
  debian: 'Debian',
  ubuntu: 'Ubuntu',
  alpine: 'Alpine',
  'red hat': 'Red Hat',
  'rocky linux': 'Rocky Linux',
  almalinux: 'AlmaLinux',
  suse: 'SUSE',
  opensuse: 'openSUSE',
  wolfi: 'Wolfi',
  chainguard: 'Chainguard',
};

/** A language package's purl type: every core ecosystem but the OS package formats. */
export type LanguagePurlType = Exclude<Ecosystem, 'deb' | 'rpm' | 'apk'>;

/**
 * purl type (https://github.com/package-url/purl-spec) → the OSV ecosystem the
 * DB keys a language package by: the one such table. Matching
 * (match/language-ecosystems.ts) and the store's package index read it; OS
 * packages are keyed by distroEcosystem instead. The type makes it complete.
 */
export const PURL_TYPE_ECOSYSTEM: Readonly<Record<LanguagePurlType, FeedEcosystem>> = Object.freeze({
  npm: 'npm',
  pypi: 'PyPI',
  golang: 'Go',
  maven: 'Maven',
  cargo: 'crates.io',
  gem: 'RubyGems',
  composer: 'Packagist',
  nuget: 'NuGet',
});

/** The OSV ecosystem of a language purl type; undefined for anything else (own keys only, so "constructor" is not one). */
export function purlTypeEcosystem(type: string): FeedEcosystem | undefined {
  return Object.hasOwn(PURL_TYPE_ECOSYSTEM, type) ? PURL_TYPE_ECOSYSTEM[type as LanguagePurlType] : undefined;
}

/** Debian release code names → version (https://www.debian.org/releases/). */
export const DEBIAN_CODENAMES: Readonly<Record<string, string>> = {
  buzz: '1.1',
  rex: '1.2',
  bo: '1.3',
  hamm: '2.0',
  slink: '2.1',
  potato: '2.2',
  woody: '3.0',
  sarge: '3.1',
  etch: '4',
  lenny: '5',
  squeeze: '6',
  wheezy: '7',
  jessie: '8',
  stretch: '9',
  buster: '10',
  bullseye: '11',
  bookworm: '12',
  trixie: '13',
  forky: '14',
  duke: '15',
  sid: 'sid',
};

const major = (v: string): string => v.split('.')[0] ?? v;

/** True when `s` holds a C0 control character (never part of a real name; a sign of hostile input). */
export function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 0x20) return true;
  return false;
}

/**
 * Normalise an OSV `affected[].package.ecosystem` to the DB key, or undefined
 * when the string is empty or malformed (control characters, absurd length).
 * Unknown ecosystems are kept as spelled (trimmed): no data is thrown away.
 */
export function normalizeEcosystem(osv: string): FeedEcosystem | undefined {
  const s = osv.trim();
  if (s === '' || s.length > 200 || hasControlCharacter(s)) return undefined;
  const colon = s.indexOf(':');
  const family = (colon < 0 ? s : s.slice(0, colon)).trim();
  const rest = colon < 0 ? '' : s.slice(colon + 1).trim();
  const lang = LANGUAGE[family.toLowerCase()];
  // Language ecosystems take no release; a suffix (e.g. a Maven repository URL) does not split the data.
  if (lang !== undefined) return lang;
  const distro = DISTRO[family.toLowerCase()];
  if (distro === undefined) return s;
  if (rest === '') return distro;
  switch (distro) {
    case 'Debian': {
      const release = DEBIAN_CODENAMES[rest.toLowerCase()] ?? rest;
      // "Debian:12" — point releases ("12.4") share the release's advisories; before Debian 4
      // the minor number named the release ("3.1" is sarge) and stays.
      return `Debian:${/^\d+\.\d+$/.test(release) && Number(major(release)) >= 4 ? major(release) : release}`;
    }
    case 'Ubuntu': {
      // "Ubuntu:22.04:LTS" → "Ubuntu:22.04"; "Ubuntu:Pro:18.04:LTS" → "Ubuntu:Pro:18.04" (ESM packages stay apart).
      const parts = rest.split(':').filter((p) => p !== '' && p !== 'LTS');
      return `Ubuntu:${parts.join(':')}`;
    }
    case 'Alpine': {
      // "Alpine:v3.19" (OSV) and "3.19" / "3.19.1" (os-release) → "Alpine:v3.19"; "edge" stays.
      const m = /^v?(\d+)\.(\d+)/.exec(rest);
      return m ? `Alpine:v${m[1]}.${m[2]}` : `Alpine:${rest}`;
    }
    case 'Red Hat': {
      // "Red Hat:enterprise_linux:9::appstream" → "Red Hat:9"; EUS/AUS/E4S streams and other
      // products keep their stream and version: "Red Hat:rhel_eus:9.2", "Red Hat:openshift:4.14".
      const parts = rest.split(':');
      const product = parts[0] ?? '';
      const version = parts[1] ?? '';
      if (/^\d+(\.\d+)*$/.test(product)) return `Red Hat:${major(product)}`;
      if (product === 'enterprise_linux' && version !== '') return `Red Hat:${major(version)}`;
      return version === '' ? `Red Hat:${product}` : `Red Hat:${product}:${version}`;
    }
    case 'Rocky Linux':
    case 'AlmaLinux': {
      const m = /^(\d+)/.exec(rest);
      return m ? `${distro}:${m[1]}` : `${distro}:${rest}`;
    }
    case 'SUSE':
    case 'openSUSE':
      // Products are named in full ("SUSE:Linux Enterprise Server 15 SP5", "openSUSE:Leap 15.5").
      return `${distro}:${rest}`;
    default:
      // Wolfi and Chainguard are rolling: one key each.
      return distro;
  }
}

/**
 * The DB key for an image's OS, from os-release ID and VERSION_ID
 * (os-release(5)): debian 12 → "Debian:12", alpine 3.19.1 → "Alpine:v3.19",
 * ubuntu 22.04 → "Ubuntu:22.04", rhel 9.3 → "Red Hat:9", rocky / almalinux →
 * major version, sles 15.5 → "SUSE:Linux Enterprise Server 15 SP5",
 * opensuse-leap 15.5 → "openSUSE:Leap 15.5". Undefined for an unknown distro.
 */
export function distroEcosystem(id: string, versionId: string | undefined): FeedEcosystem | undefined {
  const v = (versionId ?? '').trim();
  switch (id.trim().toLowerCase()) {
    case 'debian':
      return v === '' ? 'Debian:sid' : `Debian:${major(v)}`;
    case 'ubuntu':
      return v === '' ? undefined : `Ubuntu:${v}`;
    case 'alpine':
      return v === '' ? undefined : normalizeEcosystem(`Alpine:${v}`);
    case 'rhel':
    case 'redhat':
      return v === '' ? undefined : `Red Hat:${major(v)}`;
    case 'rocky':
      return v === '' ? undefined : `Rocky Linux:${major(v)}`;
    case 'almalinux':
      return v === '' ? undefined : `AlmaLinux:${major(v)}`;
    case 'wolfi':
      return 'Wolfi';
    case 'chainguard':
      return 'Chainguard';
    case 'sles':
    case 'sled':
    case 'sle-micro': {
      const [maj, sp] = v.split('.');
      if (!maj) return undefined;
      const product =
        id === 'sle-micro'
          ? 'Linux Enterprise Micro'
          : id === 'sled'
            ? 'Linux Enterprise Desktop'
            : 'Linux Enterprise Server';
      return `SUSE:${product} ${maj}${sp && sp !== '0' ? ` SP${sp}` : ''}`;
    }
    case 'opensuse-leap':
      return v === '' ? undefined : `openSUSE:Leap ${v}`;
    case 'opensuse-tumbleweed':
      return 'openSUSE:Tumbleweed';
    default:
      return undefined;
  }
}

/** The fields of an OS release that decide its DB key (an OsInfo, or anything shaped like it). */
export interface OsReleaseLike {
  readonly family: string;
  readonly version: string;
  readonly codename?: string | undefined;
}

/**
 * THE key of an image's OS release: the one the OS matchers look advisories up
 * in and the one the store's package index (and so rescans) files OS packages
 * under. Both must agree, or a package index query and a rescan miss the image.
 *
 * Debian testing and unstable have no VERSION_ID; their os-release says
 * PRETTY_NAME="Debian GNU/Linux trixie/sid" and VERSION_CODENAME=trixie, and
 * /etc/debian_version says "trixie/sid" (pickOs takes that as the version).
 * The security tracker and the feeds name the release by code name
 * ("trixie", "sid"), which normalizeEcosystem folds to "Debian:13" and
 * "Debian:sid": such an image is keyed by its code name the same way —
 * VERSION_CODENAME, else the part of debian_version before the slash.
 * Everything else: distroEcosystem (VERSION_ID).
 */
export function osDistroKey(os: OsReleaseLike | undefined): FeedEcosystem | undefined {
  if (os === undefined) return undefined;
  if (os.family.trim().toLowerCase() === 'debian' && !/^\d+(\.\d+)*$/.test(os.version.trim())) {
    const name = (os.codename || os.version.split('/')[0] || '').trim().toLowerCase();
    const release = Object.hasOwn(DEBIAN_CODENAMES, name) ? DEBIAN_CODENAMES[name] : undefined;
    return release === undefined ? undefined : `Debian:${release}`;
  }
  return distroEcosystem(os.family, os.version);
}

/** The distro family of a key ("Debian:12" → "Debian"), or the key itself. */
export function ecosystemFamily(key: FeedEcosystem): string {
  const i = key.indexOf(':');
  return i < 0 ? key : key.slice(0, i);
}

/**
 * The lookup key of a package name. Names that the ecosystem treats as
 * case- or punctuation-insensitive are folded: PyPI by PEP 503
 * (https://peps.python.org/pep-0503/#normalized-names), NuGet and Packagist
 * by lower-casing. Everything else (Maven coordinates, Go modules, npm, distro
 * source packages) is case-sensitive and stays as written.
 */
export function packageKey(ecosystem: FeedEcosystem, name: string): string {
  switch (ecosystem) {
    case 'PyPI':
      return pep503(name);
    case 'NuGet':
    case 'Packagist':
      // NuGet ids are case-insensitive (NuGet docs, "Package ID"); Composer lower-cases names.
      return name.toLowerCase();
    default:
      return name;
  }
}
