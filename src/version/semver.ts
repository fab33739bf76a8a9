/**
 * Semantic Versioning 2.0.0 (https://semver.org/spec/v2.0.0.html), used by
 * npm and crates.io. Validity is the spec's BNF (no `v` prefix, no leading
 * zeros in numeric identifiers); precedence is §11: major, minor, patch
 * numerically, a pre-release sorts before its release, pre-release
 * identifiers compare numerically (digits only) or in ASCII order, numeric
 * before alphanumeric, a shorter prefix first; build metadata is ignored.
 */
import { invalidVersion } from './invalid-version.js';
import { compareDigits, compareStrings } from './digits.js';
import type { VersionScheme } from './types.js';

export interface SemverParts {
  readonly major: string;
  readonly minor: string;
  readonly patch: string;
  /** Dot-separated identifiers; empty for a release. */
  readonly prerelease: readonly string[];
}

// The regular expression the spec itself suggests (semver.org, FAQ).
const SEMVER_RE =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export function parseSemver(v: string): SemverParts | undefined {
  const m = SEMVER_RE.exec(v);
  if (m === null) return undefined;
  return {
    major: m[1] ?? '0',
    minor: m[2] ?? '0',
    patch: m[3] ?? '0',
    prerelease: m[4] === undefined ? [] : m[4].split('.'),
  };
}

const isNumeric = (id: string): boolean => /^\d+$/.test(id);

function compareIdentifiers(a: string, b: string): number {
  const an = isNumeric(a);
  const bn = isNumeric(b);
  if (an && bn) return compareDigits(a, b);
  if (an !== bn) return an ? -1 : 1;
  return compareStrings(a, b);
}

/** SemVer 2.0.0 §11 precedence on parsed versions. */
export function compareSemverParts(a: SemverParts, b: SemverParts): number {
  const main = compareDigits(a.major, b.major) || compareDigits(a.minor, b.minor) || compareDigits(a.patch, b.patch);
  if (main !== 0) return main;
  const pa = a.prerelease;
  const pb = b.prerelease;
  if (pa.length === 0 || pb.length === 0) return pa.length === pb.length ? 0 : pa.length === 0 ? 1 : -1;
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const r = compareIdentifiers(pa[i] ?? '', pb[i] ?? '');
    if (r !== 0) return r;
  }
  return pa.length === pb.length ? 0 : pa.length < pb.length ? -1 : 1;
}

function parseOrThrow(v: string): SemverParts {
  const p = parseSemver(v);
  if (p === undefined)
    throw invalidVersion('semver', v, 'expected MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD] (SemVer 2.0.0)');
  return p;
}

export const semver: VersionScheme = {
  name: 'semver',
  valid: (v) => SEMVER_RE.test(v),
  compare: (a, b) => compareSemverParts(parseOrThrow(a), parseOrThrow(b)),
};
