/**
 * Distro packages (deb, rpm, apk) against their distro's advisories for the
 * image's release. Distros publish advisories by SOURCE package (OSV: "the name
 * of the source package" for Debian, Ubuntu, Alpine, Rocky, AlmaLinux; Red Hat
 * names binary or source RPMs), so the source name is asked first, the binary
 * name when there is no source (and, for Red Hat, as well). Versions are ordered
 * by the distro's own scheme:
 *   deb: the SOURCE version (a binNMU "+b1" or a binary versioned apart from its
 *        source, e.g. libgcc-s1 from gcc-12, must compare as the source the fix names);
 *   rpm: the full EVR with the package's epoch ("1:3.0.7-16.el9"; no epoch = 0);
 *   apk: the package version (the origin is built at the same version).
 * A distro statement "not affected" for the release suppresses the flaw for the
 * package whatever other feeds say (a backported fix or code the build omits).
 */
import type { Ecosystem, Package } from '../core/index.js';
import { type VersionScheme, schemeFor } from '../version/index.js';
import { ecosystemFamily } from '../vulndb/index.js';
import { evaluateAffected } from './osv-range.js';
import type { Candidate, MatchEnv, Matcher, PackageMatch } from './types.js';

const SCHEME: Readonly<Record<string, VersionScheme>> = {
  deb: schemeFor('deb'),
  rpm: schemeFor('rpm'),
  apk: schemeFor('apk'),
};

/** The version compared with advisories, per the rules above. */
export function comparableVersion(pkg: Package): string {
  switch (pkg.ecosystem) {
    case 'deb':
      return pkg.source?.version ?? pkg.version;
    case 'rpm':
      return `${pkg.epoch ?? 0}:${pkg.version}`;
    default:
      return pkg.version;
  }
}

/** Which names to look up, in order, and how each is described. */
function lookups(pkg: Package, distroKey: string): { name: string; label: string }[] {
  const out = [];
  const source = pkg.source?.name;
  if (source !== undefined && source !== '') out.push({ name: source, label: `source package ${source}` });
  if (source === undefined || source === '' || (ecosystemFamily(distroKey) === 'Red Hat' && source !== pkg.name)) {
    out.push({ name: pkg.name, label: `package ${pkg.name}` });
  }
  return out;
}

function osMatcher(ecosystem: Ecosystem): Matcher {
  const scheme = SCHEME[ecosystem] as VersionScheme;
  return {
    name: `${ecosystem}-distro`,
    ecosystems: [ecosystem],
    match(pkg: Package, env: MatchEnv): PackageMatch | undefined {
      const key = env.distroKey;
      if (key === undefined || !env.db.hasEcosystem(key)) return undefined; // noted once per scan by matchInventory
      const version = comparableVersion(pkg);
      const searched = lookups(pkg, key);
      const searchedBy = `${searched.map((s) => s.label).join(', ')} in ${key}`;
      if (!scheme.valid(version)) {
        env.note({
          message: `${pkg.name} ${version} is not a valid ${scheme.name} version; it was not matched`,
          ecosystem: key,
        });
        return undefined;
      }
      const candidates: Candidate[] = [];
      const notAffected: string[] = [];
      const seen = new Set<string>();
      for (const { name } of searched) {
        for (const { advisory, affected } of env.db.affecting(key, name)) {
          if (advisory.withdrawn !== undefined) continue;
          const k = `${advisory.id}\u0000${affected.name}\u0000${advisory.affected.indexOf(affected)}`;
          if (seen.has(k)) continue;
          seen.add(k);
          if (affected.state === 'not-affected') {
            notAffected.push(advisory.id, ...advisory.aliases);
            continue;
          }
          const verdict = evaluateAffected(version, affected, () => scheme);
          if (verdict.invalid.length > 0) {
            env.note({
              message: `${advisory.id}: ${key} ${affected.name} has versions ${scheme.name} cannot order (${verdict.invalid.slice(0, 3).join(', ')}); that range was skipped`,
              ecosystem: key,
            });
          }
          if (!verdict.affected) continue;
          candidates.push({
            advisory,
            affected,
            constraint: verdict.constraint,
            fixedVersions: verdict.fixedVersions,
            ...(affected.state !== undefined ? { state: affected.state } : {}),
          });
        }
      }
      return {
        matcher: `${ecosystem}-distro`,
        searchedBy,
        ...(version !== pkg.version ? { comparedVersion: version } : {}),
        scheme,
        kind: 'os',
        candidates,
        notAffected,
      };
    },
  };
}

export const debMatcher: Matcher = osMatcher('deb');
export const rpmMatcher: Matcher = osMatcher('rpm');
export const apkMatcher: Matcher = osMatcher('apk');
