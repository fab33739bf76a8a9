import { compareStrings, type Ecosystem } from '../core/index.js';
import { apk } from './apk.js';
import { composer } from './composer.js';
import { deb } from './deb.js';
import { gem } from './gem.js';
import { go } from './go.js';
import { maven } from './maven.js';
import { nuget } from './nuget.js';
import { pep440 } from './pep440.js';
import { rpm } from './rpm.js';
import { semver } from './semver.js';
import type { VersionScheme, VersionSchemeName } from './types.js';

/** Every scheme by name; `satisfies` makes a missing scheme a compile error. */
const SCHEMES = { deb, rpm, apk, semver, go, pep440, maven, gem, nuget, composer } as const satisfies Record<
  VersionSchemeName,
  VersionScheme
>;

export function schemeFor(name: VersionSchemeName): VersionScheme {
  return SCHEMES[name];
}

/** The version order of each package ecosystem (purl type); `satisfies` makes a missing one a compile error. */
const SCHEME_OF_ECOSYSTEM = {
  deb: 'deb',
  rpm: 'rpm',
  apk: 'apk',
  npm: 'semver',
  cargo: 'semver',
  pypi: 'pep440',
  maven: 'maven',
  golang: 'go',
  gem: 'gem',
  nuget: 'nuget',
  composer: 'composer',
} as const satisfies Record<Ecosystem, VersionSchemeName>;

/** The scheme that orders an ecosystem's versions (undefined for a name that is not an ecosystem). */
export function schemeForEcosystem(ecosystem: string): VersionScheme | undefined {
  const name = (SCHEME_OF_ECOSYSTEM as Readonly<Record<string, VersionSchemeName>>)[ecosystem];
  return name === undefined ? undefined : SCHEMES[name];
}

/**
 * Compare in the scheme when both versions are valid there, else by plain text
 * order: for sorting lists (fixed versions) that may hold a version the scheme
 * refuses, where a total order matters more than a VERSION_INVALID.
 */
export function compareVersionsOrText(scheme: VersionScheme | undefined, a: string, b: string): number {
  if (scheme !== undefined) {
    try {
      return scheme.compare(a, b);
    } catch {
      // an invalid version: fall through to text order
    }
  }
  return compareStrings(a, b);
}
