/**
 * NuGet package versions as NuGet.Versioning's NuGetVersion parses and
 * VersionComparer.Default orders them: SemVer 2.0.0 extended to a fourth
 * (revision) number, leading zeros allowed in the numbers (01.0 == 1.0.0),
 * missing numbers are 0 (1.0 == 1.0.0 == 1.0.0.0); pre-release labels compare
 * numerically when both are 32-bit integers, numbers before words, words
 * case-insensitively (ordinal); build metadata is ignored.
 * See https://learn.microsoft.com/nuget/concepts/package-versioning.
 */
import { invalidVersion } from './invalid-version.js';
import { compareStrings } from './digits.js';
import type { VersionScheme } from './types.js';

export interface NugetVersion {
  /** Major, minor, patch, revision. */
  readonly numbers: readonly [number, number, number, number];
  readonly labels: readonly string[];
}

const INT_MAX = 2147483647;
// .NET's string.Trim() removes char.IsWhiteSpace characters.
const DOTNET_SPACE =
  /^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;
const isLabelChar = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45;

/** NuGet's IsValidPart(): [0-9A-Za-z-]+; without allowLeadingZeros, "0" is fine but "00"/"01" are not. */
function isValidPart(s: string, allowLeadingZeros: boolean): boolean {
  if (s === '') return false;
  if (!allowLeadingZeros && s.length > 1 && s.charAt(0) === '0' && /^[0-9]+$/.test(s)) return false;
  for (let i = 0; i < s.length; i++) if (!isLabelChar(s.charCodeAt(i))) return false;
  return true;
}

/** int.TryParse(s, NumberStyles.Integer, InvariantCulture) as System.Version uses it, >= 0. */
function versionComponent(s: string): number | undefined {
  const m = /^[\t-\r ]*([+-]?)([0-9]+)[\t-\r ]*$/.exec(s);
  if (m === null) return undefined;
  const digits = (m[2] ?? '').replace(/^0+(?=\d)/, '');
  if (digits.length > 10) return undefined;
  const n = Number(digits);
  if (m[1] === '-' ? n > INT_MAX + 1 : n > INT_MAX) return undefined;
  if (m[1] === '-' && n !== 0) return undefined;
  return n;
}

/** NuGetVersion.TryParse(): sections split at the first `-` and the first `+` after it. */
export function parseNugetVersion(input: string): NugetVersion | undefined {
  const value = input.replace(DOTNET_SPACE, '');
  let versionString: string | undefined;
  let labelString: string | undefined;
  let metadata: string | undefined;
  let dashPos = -1;
  let plusPos = -1;
  for (let i = 0; i < value.length; i++) {
    const end = i === value.length - 1;
    const c = value.charAt(i);
    if (dashPos < 0) {
      if (end || c === '-' || c === '+') {
        versionString = value.slice(0, i + (end ? 1 : 0));
        dashPos = i;
        if (c === '+') plusPos = i;
      }
    } else if (plusPos < 0) {
      if (end || c === '+') {
        labelString = value.slice(dashPos + 1, i + (end ? 1 : 0));
        plusPos = i;
      }
    } else if (end) {
      metadata = value.slice(plusPos + 1, i + 1);
    }
  }
  if (versionString === undefined || versionString === '') return undefined;
  const parts = (versionString.includes('.') ? versionString : `${versionString}.0`).split('.');
  if (parts.length < 2 || parts.length > 4) return undefined;
  const numbers: number[] = [];
  for (const p of parts) {
    const n = versionComponent(p);
    if (n === undefined) return undefined;
    numbers.push(n);
  }
  while (numbers.length < 4) numbers.push(0);
  const labels = labelString === undefined ? [] : labelString.split('.');
  if (labelString !== undefined && !labels.every((l) => isValidPart(l, false))) return undefined;
  if (metadata !== undefined && !metadata.split('.').every((p) => isValidPart(p, true))) return undefined;
  return { numbers: numbers as unknown as [number, number, number, number], labels };
}

/** Int32.TryParse on a label: optional `-`, digits, within 32 bits. */
function labelNumber(s: string): number | undefined {
  if (!/^-?[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return n >= -INT_MAX - 1 && n <= INT_MAX ? n : undefined;
}

function compareLabel(a: string, b: string): number {
  const an = labelNumber(a);
  const bn = labelNumber(b);
  if (an !== undefined && bn !== undefined) return an < bn ? -1 : an > bn ? 1 : 0;
  if (an !== undefined || bn !== undefined) return an !== undefined ? -1 : 1;
  // StringComparer.OrdinalIgnoreCase compares upper-cased UTF-16 units.
  return compareStrings(a.toUpperCase(), b.toUpperCase());
}

export function compareNugetVersions(a: NugetVersion, b: NugetVersion): number {
  for (let i = 0; i < 4; i++) {
    const x = a.numbers[i] ?? 0;
    const y = b.numbers[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  const la = a.labels;
  const lb = b.labels;
  if (la.length === 0 || lb.length === 0) return la.length === lb.length ? 0 : la.length === 0 ? 1 : -1;
  const n = Math.max(la.length, lb.length);
  for (let i = 0; i < n; i++) {
    const x = la[i];
    const y = lb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const r = compareLabel(x, y);
    if (r !== 0) return r;
  }
  return 0;
}

function parseOrThrow(v: string): NugetVersion {
  const p = parseNugetVersion(v);
  if (p === undefined)
    throw invalidVersion('nuget', v, 'expected N.N[.N[.N]][-LABEL.LABEL][+METADATA] (NuGet SemVer 2)');
  return p;
}

export const nuget: VersionScheme = {
  name: 'nuget',
  valid: (v) => parseNugetVersion(v) !== undefined,
  compare: (a, b) => compareNugetVersions(parseOrThrow(a), parseOrThrow(b)),
};
