/**
 * Go module versions as golang.org/x/mod/semver orders them: SemVer 2.0.0
 * with a required `v` prefix, where `vMAJOR` and `vMAJOR.MINOR` are
 * shorthands for `vMAJOR.0.0` and `vMAJOR.MINOR.0` (not allowed with a
 * pre-release or build suffix). `+incompatible` is build metadata, so it is
 * ignored for ordering; pseudo-versions (v0.0.0-20190101000000-abcdefabcdef,
 * vX.Y.(Z+1)-0.yyyymmddhhmmss-…, vX.Y.Z-pre.0.yyyymmddhhmmss-…) are ordinary
 * pre-releases and need no special case.
 */
import { invalidVersion } from './invalid-version.js';
import { compareSemverParts, parseSemver, type SemverParts } from './semver.js';
import type { VersionScheme } from './types.js';

const SHORTHAND_RE = /^v(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?$/;

export function parseGoVersion(v: string): SemverParts | undefined {
  if (!v.startsWith('v')) return undefined;
  const short = SHORTHAND_RE.exec(v);
  if (short !== null) return { major: short[1] ?? '0', minor: short[2] ?? '0', patch: '0', prerelease: [] };
  return parseSemver(v.slice(1));
}

function parseOrThrow(v: string): SemverParts {
  const p = parseGoVersion(v);
  if (p === undefined) {
    throw invalidVersion('go', v, 'expected vMAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]] (golang.org/x/mod/semver)');
  }
  return p;
}

export const go: VersionScheme = {
  name: 'go',
  valid: (v) => parseGoVersion(v) !== undefined,
  compare: (a, b) => compareSemverParts(parseOrThrow(a), parseOrThrow(b)),
};
