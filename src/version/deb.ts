/**
 * Debian version ordering, deb-version(5) and Debian Policy §5.6.12:
 * [epoch:]upstream_version[-debian_revision]. Validity follows dpkg's
 * parseversion() (lib/dpkg/parsehelp.c) as `dpkg --validate-version` applies
 * it: its warnings ("does not start with digit", "invalid character") fail
 * validation too.
 */
import { invalidVersion } from './invalid-version.js';
import { isAsciiAlpha, isAsciiDigit } from './digits.js';
import type { VersionScheme } from './types.js';

export interface DebVersion {
  readonly epoch: number;
  readonly upstream: string;
  readonly revision: string;
}

const INT_MAX = 2147483647;
const isBlank = (c: string): boolean => c === ' ' || c === '\t';

/** Parses like dpkg's parseversion(); returns the reason as a string when dpkg would refuse it. */
export function parseDebVersion(input: string): DebVersion | string {
  // parseversion trims blanks (space, tab) only, then refuses blanks inside.
  let start = 0;
  let end = input.length;
  while (start < end && isBlank(input.charAt(start))) start++;
  while (end > start && isBlank(input.charAt(end - 1))) end--;
  const s = input.slice(start, end);
  if (s === '') return 'version string is empty';
  if (s.includes(' ') || s.includes('\t')) return 'version string has embedded spaces';
  let epoch = 0;
  let rest = s;
  const colon = s.indexOf(':');
  if (colon >= 0) {
    // strtol(): optional C-locale white space, an optional sign, then digits; it must stop at the colon.
    const part = s.slice(0, colon);
    const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(part);
    if (m === null) return 'epoch in version is empty';
    if (m[0].length !== part.length) return 'epoch in version is not number';
    const digits = (m[2] ?? '').replace(/^0+(?=\d)/, '');
    const value = digits.length > 10 ? Number.POSITIVE_INFINITY : Number(digits);
    if (m[1] === '-' && value !== 0) return 'epoch in version is negative';
    if (value > INT_MAX) return 'epoch in version is too big';
    epoch = value;
    rest = s.slice(colon + 1);
    if (rest === '') return 'nothing after colon in version number';
  }
  let upstream = rest;
  let revision = '';
  const hyphen = rest.lastIndexOf('-');
  if (hyphen >= 0) {
    upstream = rest.slice(0, hyphen);
    revision = rest.slice(hyphen + 1);
    if (revision === '') return 'revision number is empty';
  }
  if (upstream === '') return 'version number is empty';
  if (!isAsciiDigit(upstream.charCodeAt(0))) return 'version number does not start with digit';
  for (let i = 1; i < upstream.length; i++) {
    const c = upstream.charCodeAt(i);
    if (!isAsciiDigit(c) && !isAsciiAlpha(c) && !'.-+~:'.includes(upstream.charAt(i))) {
      return 'invalid character in version number';
    }
  }
  for (let i = 0; i < revision.length; i++) {
    const c = revision.charCodeAt(i);
    if (!isAsciiDigit(c) && !isAsciiAlpha(c) && !'.+~'.includes(revision.charAt(i))) {
      return 'invalid character in revision number';
    }
  }
  return { epoch, upstream, revision };
}

/** deb-version(5): letters sort earliest, then non-letters; `~` before anything, even the end. */
function order(s: string, i: number): number {
  if (i >= s.length) return 0;
  const c = s.charCodeAt(i);
  if (isAsciiDigit(c)) return 0;
  if (isAsciiAlpha(c)) return c;
  if (c === 126) return -1; // '~'
  return c + 256;
}

/** dpkg's verrevcmp(): alternating non-digit and digit runs; digit runs compare numerically at any length. */
export function debVerrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isAsciiDigit(a.charCodeAt(i))) || (j < b.length && !isAsciiDigit(b.charCodeAt(j)))) {
      const ac = order(a, i);
      const bc = order(b, j);
      if (ac !== bc) return ac < bc ? -1 : 1;
      i++;
      j++;
    }
    while (a.charCodeAt(i) === 48) i++;
    while (b.charCodeAt(j) === 48) j++;
    let firstDiff = 0;
    while (i < a.length && j < b.length && isAsciiDigit(a.charCodeAt(i)) && isAsciiDigit(b.charCodeAt(j))) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && isAsciiDigit(a.charCodeAt(i))) return 1;
    if (j < b.length && isAsciiDigit(b.charCodeAt(j))) return -1;
    if (firstDiff !== 0) return firstDiff < 0 ? -1 : 1;
  }
  return 0;
}

function parseOrThrow(v: string): DebVersion {
  const p = parseDebVersion(v);
  if (typeof p === 'string') throw invalidVersion('deb', v, p);
  return p;
}

export function compareDebVersions(a: DebVersion, b: DebVersion): number {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  return debVerrevcmp(a.upstream, b.upstream) || debVerrevcmp(a.revision, b.revision);
}

export const deb: VersionScheme = {
  name: 'deb',
  valid: (v) => typeof parseDebVersion(v) !== 'string',
  compare: (a, b) => compareDebVersions(parseOrThrow(a), parseOrThrow(b)),
};
