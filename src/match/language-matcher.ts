/**
 * Language packages against their ecosystem's OSV advisories (GHSA, PYSEC, GO,
 * RUSTSEC …), with OSV semantics exactly (osv-range.ts): ECOSYSTEM ranges in the
 * ecosystem's ordering, SEMVER ranges in SemVer 2.0, `versions` listed exactly,
 * GIT ranges skipped, withdrawn advisories skipped.
 */
import type { Package } from '../core/index.js';
import { type LanguageEcosystem, LANGUAGE_ECOSYSTEMS } from './language-ecosystems.js';
import { evaluateAffected } from './osv-range.js';
import type { Candidate, MatchEnv, Matcher, PackageMatch } from './types.js';

function languageMatcher(eco: LanguageEcosystem): Matcher {
  const matcher = `${eco.ecosystem}-osv`;
  return {
    name: matcher,
    ecosystems: [eco.ecosystem],
    match(pkg: Package, env: MatchEnv): PackageMatch | undefined {
      const name = eco.name(pkg);
      if (typeof name !== 'string') {
        env.note({ message: name.skip, ecosystem: eco.osv });
        return undefined;
      }
      const version = eco.version(pkg);
      const searchedBy = `${eco.ecosystem === 'golang' && name === 'stdlib' ? 'Go toolchain' : 'package'} ${name} in ${eco.osv}`;
      const hits = env.db.affecting(eco.osv, name);
      if (hits.length > 0 && !eco.scheme.valid(version)) {
        env.note({
          message: `${pkg.name} ${pkg.version} is not a valid ${eco.scheme.name} version; ${hits.length} advisory statement(s) about it were not evaluated`,
          ecosystem: eco.osv,
        });
        return undefined;
      }
      const candidates: Candidate[] = [];
      for (const { advisory, affected } of hits) {
        if (advisory.withdrawn !== undefined) continue;
        const verdict = evaluateAffected(
          version,
          affected,
          (type) => (type === 'SEMVER' ? eco.semver : eco.scheme),
          eco.feedVersion,
        );
        if (verdict.invalid.length > 0) {
          env.note({
            message: `${advisory.id}: ${eco.osv} ${affected.name} has versions ${eco.scheme.name} cannot order (${verdict.invalid.slice(0, 3).join(', ')}); that range was skipped`,
            ecosystem: eco.osv,
          });
        }
        if (!verdict.affected) continue;
        candidates.push({ advisory, affected, constraint: verdict.constraint, fixedVersions: verdict.fixedVersions });
      }
      return {
        matcher,
        searchedBy,
        ...(version !== pkg.version ? { comparedVersion: version } : {}),
        scheme: eco.scheme,
        kind: 'language',
        candidates,
        notAffected: [],
      };
    },
  };
}

export const LANGUAGE_MATCHERS: readonly Matcher[] = LANGUAGE_ECOSYSTEMS.map(languageMatcher);
