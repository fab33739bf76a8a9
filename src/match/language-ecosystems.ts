/**
 * Language ecosystems: purl type → OSV ecosystem (vulndb's PURL_TYPE_ECOSYSTEM,
 * the one table), the version scheme of its ECOSYSTEM ranges, and how names and
 * versions are spelled in OSV records.
 * OSV ecosystem list: https://ossf.github.io/osv-schema/#affectedpackage-field
 */
import { type Package, pep503 } from '../core/index.js';
import { type VersionScheme, schemeFor } from '../version/index.js';
import { type LanguagePurlType, PURL_TYPE_ECOSYSTEM } from '../vulndb/index.js';

export interface LanguageEcosystem {
  readonly ecosystem: LanguagePurlType;
  /** OSV ecosystem name, as the DB keys it. */
  readonly osv: string;
  /** Ordering of ECOSYSTEM ranges. */
  readonly scheme: VersionScheme;
  /** Ordering of SEMVER ranges (SemVer 2.0; Go spells versions with a "v"). */
  readonly semver: VersionScheme;
  /** The name OSV records use for this package, or undefined when it cannot be matched (with why). */
  name(pkg: Package): string | { readonly skip: string };
  /** The installed version in the scheme's spelling. */
  version(pkg: Package): string;
  /** A feed version in the scheme's spelling. */
  feedVersion(v: string): string;
}

const same = (v: string): string => v;

/** Go: OSV writes "1.2.3" (SemVer), Go writes "v1.2.3"; the toolchain "go1.22rc1" style becomes "v1.22.0-rc.1". */
export function goVersion(v: string): string {
  const t = v.trim().replace(/^go/, '');
  const w = t.startsWith('v') ? t : `v${t}`;
  const pre = /^v(\d+)\.(\d+)(?:\.(\d+))?(rc|beta|alpha)(\d+)$/.exec(w);
  if (pre) return `v${pre[1]}.${pre[2]}.${pre[3] ?? '0'}-${pre[4]}.${pre[5]}`;
  return w;
}

export const LANGUAGE_ECOSYSTEMS: readonly LanguageEcosystem[] = [
  {
    ecosystem: 'npm',
    osv: PURL_TYPE_ECOSYSTEM.npm,
    scheme: schemeFor('semver'),
    semver: schemeFor('semver'),
    // npm names are case-sensitive: legacy packages keep capitals ("JSONStream"); OSV spells them as published.
    name: (p) => p.name,
    version: (p) => p.version,
    feedVersion: same,
  },
  {
    ecosystem: 'pypi',
    osv: PURL_TYPE_ECOSYSTEM.pypi,
    scheme: schemeFor('pep440'),
    semver: schemeFor('semver'),
    name: (p) => pep503(p.name),
    version: (p) => p.version,
    feedVersion: same,
  },
  {
    ecosystem: 'golang',
    osv: PURL_TYPE_ECOSYSTEM.golang,
    scheme: schemeFor('go'),
    semver: schemeFor('go'),
    // Module paths are case-sensitive and matched as written; the toolchain is the module "stdlib".
    name: (p) => p.name,
    version: (p) => goVersion(p.version),
    feedVersion: goVersion,
  },
  {
    ecosystem: 'maven',
    osv: PURL_TYPE_ECOSYSTEM.maven,
    scheme: schemeFor('maven'),
    semver: schemeFor('semver'),
    // OSV: "groupId:artifactId"; a jar without a groupId cannot be named in Maven's namespace.
    name: (p) =>
      p.name.includes(':')
        ? p.name
        : { skip: `${p.name} ${p.version} has no Maven groupId (no pom.properties); it was not matched` },
    version: (p) => p.version,
    feedVersion: same,
  },
  {
    ecosystem: 'cargo',
    osv: PURL_TYPE_ECOSYSTEM.cargo,
    scheme: schemeFor('semver'),
    semver: schemeFor('semver'),
    name: (p) => p.name,
    version: (p) => p.version,
    feedVersion: same,
  },
  {
    ecosystem: 'gem',
    osv: PURL_TYPE_ECOSYSTEM.gem,
    scheme: schemeFor('gem'),
    semver: schemeFor('semver'),
    name: (p) => p.name,
    version: (p) => p.version,
    feedVersion: same,
  },
  {
    ecosystem: 'composer',
    osv: PURL_TYPE_ECOSYSTEM.composer,
    scheme: schemeFor('composer'),
    semver: schemeFor('semver'),
    // Composer package names are lower-case "vendor/project".
    name: (p) => p.name.toLowerCase(),
    version: (p) => p.version,
    feedVersion: same,
  },
  {
    ecosystem: 'nuget',
    osv: PURL_TYPE_ECOSYSTEM.nuget,
    scheme: schemeFor('nuget'),
    semver: schemeFor('semver'),
    // NuGet IDs are case-insensitive.
    name: (p) => p.name.toLowerCase(),
    version: (p) => p.version,
    feedVersion: same,
  },
];
