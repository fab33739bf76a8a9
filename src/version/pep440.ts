/**
 * Python package versions, PEP 440 ("Version specifiers", now the PyPA
 * version specifiers specification) as `packaging.version.Version` parses
 * and orders them: the permissive spelling of the PEP's "Appendix B" regular
 * expression (case-insensitive, optional `v`, `-`/`_`/`.` separators,
 * implicit numbers, `1.0-1` as a post-release) normalised, then compared on
 * (epoch, release without trailing zeros, pre, post, dev, local).
 */
import { invalidVersion } from './invalid-version.js';
import { compareDigits, compareStrings } from './digits.js';
import type { VersionScheme } from './types.js';

// Python's `\s` on str (what str.isspace() accepts), not JavaScript's (which adds U+FEFF and drops \x1c-\x1f).
const PY_SPACE = String.raw`[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]`;
const VERSION_RE = new RegExp(
  String.raw`^${PY_SPACE}*v?(?:(?:(?<epoch>[0-9]+)!)?(?<release>[0-9]+(?:\.[0-9]+)*)` +
    `(?<pre>[-_.]?(?<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<pre_n>[0-9]+)?)?` +
    `(?<post>(?:-(?<post_n1>[0-9]+))|(?:[-_.]?(?<post_l>post|rev|r)[-_.]?(?<post_n2>[0-9]+)?))?` +
    `(?<dev>[-_.]?(?<dev_l>dev)[-_.]?(?<dev_n>[0-9]+)?)?)` +
    String.raw`(?:\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?${PY_SPACE}*$`,
  'iu',
);

export interface Pep440Version {
  readonly epoch: string;
  /** Release numbers with trailing zeros removed (1.0 == 1.0.0). */
  readonly release: readonly string[];
  /** Normalised phase `a` | `b` | `rc` and number, or undefined. */
  readonly pre: readonly [string, string] | undefined;
  readonly post: string | undefined;
  readonly dev: string | undefined;
  /** Local segments: digit strings compare as numbers, others lower-cased. */
  readonly local: readonly string[] | undefined;
}

function normalisePre(letter: string): string {
  const l = letter.toLowerCase();
  if (l === 'alpha') return 'a';
  if (l === 'beta') return 'b';
  if (l === 'c' || l === 'pre' || l === 'preview') return 'rc';
  return l;
}

export function parsePep440(v: string): Pep440Version | undefined {
  const g = VERSION_RE.exec(v)?.groups;
  if (g === undefined) return undefined;
  const release = (g.release ?? '0').split('.');
  while (release.length > 0 && /^0+$/.test(release[release.length - 1] ?? '')) release.pop();
  const pre: [string, string] | undefined = g.pre_l === undefined ? undefined : [normalisePre(g.pre_l), g.pre_n ?? '0'];
  const post = g.post === undefined ? undefined : (g.post_n1 ?? g.post_n2 ?? '0');
  const dev = g.dev === undefined ? undefined : (g.dev_n ?? '0');
  const local = g.local === undefined ? undefined : g.local.toLowerCase().split(/[-_.]/);
  return { epoch: g.epoch ?? '0', release, pre, post, dev, local };
}

const isNum = (s: string): boolean => /^[0-9]+$/.test(s);

function compareRelease(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const r = compareDigits(a[i] ?? '0', b[i] ?? '0');
    if (r !== 0) return r;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Phase rank of packaging's _cmpkey: dev-only releases first, then a < b < rc, then final/post (no pre). */
function preKey(v: Pep440Version): number {
  if (v.pre !== undefined) return 1;
  return v.post === undefined && v.dev !== undefined ? 0 : 2;
}

function comparePre(a: Pep440Version, b: Pep440Version): number {
  const ka = preKey(a);
  const kb = preKey(b);
  if (ka !== kb) return ka < kb ? -1 : 1;
  if (a.pre === undefined || b.pre === undefined) return 0;
  return compareStrings(a.pre[0], b.pre[0]) || compareDigits(a.pre[1], b.pre[1]);
}

/** A missing value sorts as `missing` (-1 before any value, +1 after any value). */
function compareOptionalNumber(a: string | undefined, b: string | undefined, missing: -1 | 1): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? missing : -missing;
  return compareDigits(a, b);
}

function compareLocal(a: readonly string[] | undefined, b: readonly string[] | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    const xn = isNum(x);
    const yn = isNum(y);
    // Numeric local segments sort after alphanumeric ones (PEP 440, "Local version identifiers").
    const r = xn && yn ? compareDigits(x, y) : xn !== yn ? (xn ? 1 : -1) : compareStrings(x, y);
    if (r !== 0) return r;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function comparePep440(a: Pep440Version, b: Pep440Version): number {
  return (
    compareDigits(a.epoch, b.epoch) ||
    compareRelease(a.release, b.release) ||
    comparePre(a, b) ||
    compareOptionalNumber(a.post, b.post, -1) ||
    compareOptionalNumber(a.dev, b.dev, 1) ||
    compareLocal(a.local, b.local)
  );
}

function parseOrThrow(v: string): Pep440Version {
  const p = parsePep440(v);
  if (p === undefined)
    throw invalidVersion('pep440', v, 'expected [N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local] (PEP 440)');
  return p;
}

export const pep440: VersionScheme = {
  name: 'pep440',
  valid: (v) => parsePep440(v) !== undefined,
  compare: (a, b) => comparePep440(parseOrThrow(a), parseOrThrow(b)),
};
