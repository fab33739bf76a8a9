/**
 * Composer (Packagist) versions: composer/semver's VersionParser::normalize()
 * turns a version into its normalised form (1.2 → 1.2.0.0, 1.0-b2 →
 * 1.0.0.0-beta2, v2.0.x-dev → 2.0.9999999.9999999-dev, master → dev-master),
 * then the order is PHP's version_compare() on the normalised forms, as
 * Comparator and Constraint do (dev < alpha = a < beta = b < RC = rc <
 * number < patch = pl = p). Two different branch names (dev-*) are not ordered
 * by Composer; we order them by name so that the order is total.
 */
import { invalidVersion } from './invalid-version.js';
import { compareStrings } from './digits.js';
import type { VersionScheme } from './types.js';

const MODIFIER = String.raw`[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*)?)?([.-]?dev)?`;
const CLASSICAL_RE = new RegExp(String.raw`^v?(\d{1,5})(\.\d+)?(\.\d+)?(\.\d+)?${MODIFIER}$`, 'i');
const DATE_RE = new RegExp(String.raw`^v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3}){0,2})${MODIFIER}$`, 'i');
const BRANCH_RE = /^v?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?$/i;
// PHP's trim() default characters.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL and VT are among them
const phpTrim = (s: string): string => s.replace(/^[ \t\n\r\0\x0B]+|[ \t\n\r\0\x0B]+$/g, '');
// PCRE's \s without /u: space, \t, \n, \v, \f, \r.
const ALIAS_RE = /^([^,\s]+) +as +([^,\s]+)$/;
const STABILITY_FLAG_RE = /@(?:stable|RC|beta|alpha|dev)$/i;
const BUILD_RE = /^([^,\s+]+)\+[^\s]+$/;

function expandStability(s: string): string {
  const l = s.toLowerCase();
  if (l === 'a') return 'alpha';
  if (l === 'b') return 'beta';
  if (l === 'p' || l === 'pl') return 'patch';
  if (l === 'rc') return 'RC';
  return l;
}

/** PHP's empty(): undefined, '' and '0' are empty. */
const phpEmpty = (s: string | undefined): boolean => s === undefined || s === '' || s === '0';

function normalizeBranch(name: string): string {
  const trimmed = phpTrim(name);
  const m = BRANCH_RE.exec(trimmed);
  if (m === null) return `dev-${trimmed}`;
  let version = '';
  for (let i = 1; i < 5; i++) {
    const g = m[i];
    version += g !== undefined ? g.replace(/[*X]/g, 'x') : '.x';
  }
  return `${version.replace(/x/g, '9999999')}-dev`;
}

/** VersionParser::normalize(); undefined where it throws UnexpectedValueException. */
export function normalizeComposerVersion(input: string): string | undefined {
  let version = phpTrim(input);
  const alias = ALIAS_RE.exec(version);
  if (alias !== null) version = alias[1] ?? version;
  const flag = STABILITY_FLAG_RE.exec(version);
  if (flag !== null) version = version.slice(0, version.length - flag[0].length);
  if (version === 'master' || version === 'trunk' || version === 'default') version = `dev-${version}`;
  if (version.slice(0, 4).toLowerCase() === 'dev-') return `dev-${version.slice(4)}`;
  const build = BUILD_RE.exec(version);
  if (build !== null) version = build[1] ?? version;

  let m = CLASSICAL_RE.exec(version);
  let index: number;
  if (m !== null) {
    version = `${m[1]}${phpEmpty(m[2]) ? '.0' : m[2]}${phpEmpty(m[3]) ? '.0' : m[3]}${phpEmpty(m[4]) ? '.0' : m[4]}`;
    index = 5;
  } else {
    m = DATE_RE.exec(version);
    if (m !== null) {
      version = (m[1] ?? '').replace(/\D/g, '.');
      index = 2;
    } else {
      index = -1;
    }
  }
  if (m !== null && index > 0) {
    const stability = m[index];
    if (!phpEmpty(stability) && stability !== undefined) {
      if (stability === 'stable') return version;
      const num = m[index + 1];
      version += `-${expandStability(stability)}${num !== undefined && num !== '' ? num.replace(/^[.-]+/, '') : ''}`;
    }
    if (!phpEmpty(m[index + 2])) version += '-dev';
    return version;
  }
  const dev = /^(.*?)[.-]?dev$/i.exec(version);
  if (dev !== null) {
    const normalized = normalizeBranch(dev[1] ?? '');
    if (!normalized.includes('dev-')) return normalized;
  }
  return undefined;
}

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isAlnum = (c: string): boolean => isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const isSpecial = (c: string): boolean => c === '-' || c === '_' || c === '+';

/** php_canonicalize_version(): `-_+` become `.`, a `.` goes between digits and non-digits, other symbols become `.`. */
function canonicalize(v: string): string {
  if (v === '') return '';
  let out = v.charAt(0);
  let lp = v.charAt(0);
  const isdig = (c: string): boolean => isDigit(c);
  const isndig = (c: string): boolean => !isDigit(c) && c !== '.';
  for (let i = 1; i < v.length; i++) {
    const c = v.charAt(i);
    const lq = out.charAt(out.length - 1);
    if (isSpecial(c)) {
      if (lq !== '.') out += '.';
    } else if ((isndig(lp) && isdig(c)) || (isdig(lp) && isndig(c))) {
      if (lq !== '.') out += '.';
      out += c;
    } else if (!isAlnum(c)) {
      if (lq !== '.') out += '.';
    } else {
      out += c;
    }
    lp = c;
  }
  return out;
}

const SPECIAL_FORMS: ReadonlyArray<readonly [string, number]> = [
  ['dev', 0],
  ['alpha', 1],
  ['a', 1],
  ['beta', 2],
  ['b', 2],
  ['RC', 3],
  ['rc', 3],
  ['#', 4],
  ['pl', 5],
  ['p', 5],
];

/** compare_special_version_forms(): prefix match against the table; unknown words rank below dev. */
function specialForm(form: string): number {
  for (const [name, order] of SPECIAL_FORMS) if (form.startsWith(name)) return order;
  return -1;
}

const LONG_MAX = 9223372036854775807n;
/** strtol(): leading digits, clamped to LONG_MAX. */
function strtol(s: string): bigint {
  const m = /^[0-9]+/.exec(s);
  const n = m === null ? 0n : BigInt(m[0]);
  return n > LONG_MAX ? LONG_MAX : n;
}

/** PHP's php_version_compare() (ext/standard/versioning.c). */
export function phpVersionCompare(orig1: string, orig2: string): number {
  if (orig1 === '' || orig2 === '') return orig1 === orig2 ? 0 : orig1 !== '' ? 1 : -1;
  const v1 = orig1.charAt(0) === '#' ? orig1 : canonicalize(orig1);
  const v2 = orig2.charAt(0) === '#' ? orig2 : canonicalize(orig2);
  let p1 = 0;
  let p2 = 0;
  let n1 = 0;
  let n2 = 0;
  let compare = 0;
  while (p1 < v1.length && p2 < v2.length && n1 !== -1 && n2 !== -1) {
    n1 = v1.indexOf('.', p1);
    n2 = v2.indexOf('.', p2);
    const e1 = v1.slice(p1, n1 === -1 ? undefined : n1);
    const e2 = v2.slice(p2, n2 === -1 ? undefined : n2);
    const d1 = isDigit(e1.charAt(0));
    const d2 = isDigit(e2.charAt(0));
    if (d1 && d2) {
      const l1 = strtol(e1);
      const l2 = strtol(e2);
      compare = l1 < l2 ? -1 : l1 > l2 ? 1 : 0;
    } else if (!d1 && !d2) {
      compare = Math.sign(specialForm(e1) - specialForm(e2));
    } else if (d1) {
      compare = Math.sign(specialForm('#N#') - specialForm(e2));
    } else {
      compare = Math.sign(specialForm(e1) - specialForm('#N#'));
    }
    if (compare !== 0) break;
    if (n1 !== -1) p1 = n1 + 1;
    if (n2 !== -1) p2 = n2 + 1;
  }
  if (compare === 0) {
    if (n1 !== -1) {
      compare = isDigit(v1.charAt(p1)) ? 1 : phpVersionCompare(v1.slice(p1), '#N#');
    } else if (n2 !== -1) {
      compare = isDigit(v2.charAt(p2)) ? -1 : phpVersionCompare('#N#', v2.slice(p2));
    }
  }
  return compare;
}

function normalizeOrThrow(v: string): string {
  const n = normalizeComposerVersion(v);
  if (n === undefined) {
    throw invalidVersion(
      'composer',
      v,
      'not a version composer/semver can normalise (e.g. 1.2.3, v2.0-beta1, 2.1.x-dev, dev-main)',
    );
  }
  return n;
}

export function compareComposerNormalized(a: string, b: string): number {
  if (a.startsWith('dev-') && b.startsWith('dev-')) return compareStrings(a, b);
  return phpVersionCompare(a, b);
}

export const composer: VersionScheme = {
  name: 'composer',
  valid: (v) => normalizeComposerVersion(v) !== undefined,
  compare: (a, b) => compareComposerNormalized(normalizeOrThrow(a), normalizeOrThrow(b)),
};
