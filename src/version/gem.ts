/**
 * RubyGems versions, Gem::Version (rubygems/version.rb): digits, then
 * dot-separated alphanumeric parts, optionally `-pre` parts (a `-` reads as
 * `.pre.`). Segments are runs of digits (numbers) or letters (strings); any
 * string segment makes a prerelease, which sorts before the release. Trailing
 * zeros of the numeric and of the string part are dropped before comparing
 * (Gem::Version#canonical_segments), so 1.0 == 1 and 1.0.a.0 == 1.a.
 */
import { invalidVersion } from './invalid-version.js';
import { compareDigits, compareStrings } from './digits.js';
import type { VersionScheme } from './types.js';

// Gem::Version::ANCHORED_VERSION_PATTERN; Ruby's \s is [ \t\r\n\f\v].
const ANCHORED_RE = /^[ \t\r\n\f\v]*([0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?[ \t\r\n\f\v]*$/;

type Segment = { readonly num: true; readonly value: string } | { readonly num: false; readonly value: string };

export function gemCanonicalSegments(v: string): Segment[] | undefined {
  const m = ANCHORED_RE.exec(v);
  if (m === null) return undefined;
  const text = (m[1] ?? '0').replace(/-/g, '.pre.');
  const segments: Segment[] = [];
  for (const part of text.match(/[0-9]+|[a-z]+/gi) ?? []) {
    const isNum = /^[0-9]/.test(part);
    segments.push(isNum ? { num: true, value: part.replace(/^0+(?=\d)/, '') } : { num: false, value: part });
  }
  const firstString = segments.findIndex((s) => !s.num);
  const numeric = firstString === -1 ? segments : segments.slice(0, firstString);
  const strings = firstString === -1 ? [] : segments.slice(firstString);
  const dropZeros = (list: Segment[]): Segment[] => {
    let end = list.length;
    while (end > 0 && list[end - 1]?.num === true && list[end - 1]?.value === '0') end--;
    return list.slice(0, end);
  };
  return [...dropZeros(numeric), ...dropZeros(strings)];
}

const ZERO: Segment = { num: true, value: '0' };

function compareSegments(a: Segment[], b: Segment[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const l = a[i] ?? ZERO;
    const r = b[i] ?? ZERO;
    if (l.num && r.num) {
      const c = compareDigits(l.value, r.value);
      if (c !== 0) return c;
    } else if (l.num !== r.num) {
      // A string segment (prerelease) sorts before a number.
      return l.num ? 1 : -1;
    } else {
      const c = compareStrings(l.value, r.value);
      if (c !== 0) return c;
    }
  }
  return 0;
}

function parseOrThrow(v: string): Segment[] {
  const s = gemCanonicalSegments(v);
  if (s === undefined) throw invalidVersion('gem', v, 'expected digits then .-separated alphanumerics (Gem::Version)');
  return s;
}

export const gem: VersionScheme = {
  name: 'gem',
  valid: (v) => ANCHORED_RE.test(v),
  compare: (a, b) => compareSegments(parseOrThrow(a), parseOrThrow(b)),
};
