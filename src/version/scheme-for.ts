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
