/**
 * A version ordering scheme: one per ecosystem (deb, rpm, apk, semver, go,
 * pep440, maven, gem, nuget, composer). `compare` is total over the versions
 * `valid` accepts; an invalid version is a CustomsError(VERSION_INVALID), so a
 * matcher can record an Unknown instead of guessing.
 */
export interface VersionScheme {
  readonly name: VersionSchemeName;
  /** True when `v` is a version this scheme can order. */
  valid(v: string): boolean;
  /** Negative, zero or positive as a < b, a == b, a > b. Throws VERSION_INVALID on invalid input. */
  compare(a: string, b: string): number;
}

export const VERSION_SCHEMES = [
  'deb',
  'rpm',
  'apk',
  'semver',
  'go',
  'pep440',
  'maven',
  'gem',
  'nuget',
  'composer',
] as const;
export type VersionSchemeName = (typeof VERSION_SCHEMES)[number];
