/**
 * RPM version ordering: rpmvercmp() (rpmio/rpmvercmp.c, rpm ≥ 4.15 with `^`)
 * for one version or release string, and rpmverCmp() (lib/rpmver.c) for
 * [epoch:]version[-release] EVRs.
 */
import { invalidVersion } from './invalid-version.js';
import { compareDigits, compareStrings, isAsciiAlpha, isAsciiDigit } from './digits.js';
import type { VersionScheme } from './types.js';

const TILDE = 126;
const CARET = 94;
const isAlnum = (c: number): boolean => isAsciiDigit(c) || isAsciiAlpha(c);

/**
 * rpmvercmp(): segments are maximal runs of ASCII digits or letters; any other
 * character only separates. `~` sorts before everything, even the end;
 * `^` sorts after the end but before any further segment. Digit segments are
 * newer than letter segments; digit runs compare numerically at any length.
 */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  const na = a.length;
  const nb = b.length;
  while (i < na || j < nb) {
    while (i < na && !isAlnum(a.charCodeAt(i)) && a.charCodeAt(i) !== TILDE && a.charCodeAt(i) !== CARET) i++;
    while (j < nb && !isAlnum(b.charCodeAt(j)) && b.charCodeAt(j) !== TILDE && b.charCodeAt(j) !== CARET) j++;
    const ca = i < na ? a.charCodeAt(i) : 0;
    const cb = j < nb ? b.charCodeAt(j) : 0;
    if (ca === TILDE || cb === TILDE) {
      if (ca !== TILDE) return 1;
      if (cb !== TILDE) return -1;
      i++;
      j++;
      continue;
    }
    if (ca === CARET || cb === CARET) {
      if (i >= na) return -1;
      if (j >= nb) return 1;
      if (ca !== CARET) return 1;
      if (cb !== CARET) return -1;
      i++;
      j++;
      continue;
    }
    if (i >= na || j >= nb) break;
    const isNum = isAsciiDigit(ca);
    const inSeg = isNum ? isAsciiDigit : isAsciiAlpha;
    let ei = i;
    let ej = j;
    while (ei < na && inSeg(a.charCodeAt(ei))) ei++;
    while (ej < nb && inSeg(b.charCodeAt(ej))) ej++;
    // A numeric segment against a letter segment: numbers are newer (rpm bug #50977).
    if (ej === j) return isNum ? 1 : -1;
    const sa = a.slice(i, ei);
    const sb = b.slice(j, ej);
    const rc = isNum ? compareDigits(sa, sb) : compareStrings(sa, sb);
    if (rc !== 0) return rc;
    i = ei;
    j = ej;
  }
  if (i >= na && j >= nb) return 0;
  return i >= na ? -1 : 1;
}

export interface RpmEvr {
  /** Undefined when the EVR has no `epoch:`; compared as "0". */
  readonly epoch: string | undefined;
  readonly version: string;
  /** Undefined when there is no `-release`; it then sorts before any release. */
  readonly release: string | undefined;
}

/** parseEVR() from lib/rpmver.c: leading digits then `:` is the epoch, the last `-` starts the release. */
export function parseRpmEvr(evr: string): RpmEvr {
  let s = 0;
  while (s < evr.length && isAsciiDigit(evr.charCodeAt(s))) s++;
  const dash = evr.lastIndexOf('-');
  const se = dash >= s ? dash : -1;
  let epoch: string | undefined;
  let vstart = 0;
  if (evr.charAt(s) === ':') {
    epoch = s === 0 ? '0' : evr.slice(0, s);
    vstart = s + 1;
  }
  if (se >= 0) return { epoch, version: evr.slice(vstart, se), release: evr.slice(se + 1) };
  return { epoch, version: evr.slice(vstart), release: undefined };
}

/**
 * rpmverCmp() (lib/rpmver.c, rpm 4.18): epochs (missing = "0"), versions, then
 * releases with compare_values(): a missing release sorts before any release.
 */
export function compareRpmEvr(a: RpmEvr, b: RpmEvr): number {
  const rc = rpmvercmp(a.epoch ?? '0', b.epoch ?? '0') || rpmvercmp(a.version, b.version);
  if (rc !== 0) return rc;
  if (a.release === undefined || b.release === undefined) {
    return a.release === b.release ? 0 : a.release === undefined ? -1 : 1;
  }
  return rpmvercmp(a.release, b.release);
}

/**
 * rpm itself orders any byte string; we refuse what no spec file can produce
 * as an EVR: the empty string, white space and control characters.
 */
function whyInvalid(v: string): string | undefined {
  if (v === '') return 'empty';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse
  if (/[\s\u0000-\u001f\u007f]/.test(v)) return 'contains white space or control characters';
  const { version } = parseRpmEvr(v);
  if (version === '') return 'the version part is empty';
  return undefined;
}

function check(v: string): RpmEvr {
  const why = whyInvalid(v);
  if (why !== undefined) throw invalidVersion('rpm', v, why);
  return parseRpmEvr(v);
}

export const rpm: VersionScheme & { vercmp(a: string, b: string): number } = {
  name: 'rpm',
  valid: (v) => whyInvalid(v) === undefined,
  compare: (a, b) => compareRpmEvr(check(a), check(b)),
  /** Version-only comparison (rpm.vercmp in rpm's Lua, rpmvercmp in C): no epoch or release split. */
  vercmp: rpmvercmp,
};
