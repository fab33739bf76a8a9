/**
 * Alpine package versions as apk-tools 3 (src/version.c) orders them:
 *   digit{.digit}...{letter}{_suffix{number}}...{~hash}{-r#}
 * Tokens are compared pairwise while both sides have the same token type;
 * the first differing value decides, else the side that goes on is newer —
 * unless what follows is a pre-release suffix (_alpha, _beta, _pre, _rc).
 */
import { invalidVersion } from './invalid-version.js';
import { compareStrings } from './digits.js';
import type { VersionScheme } from './types.js';

// Token order matters: when one side runs out first, the higher token type is the older version.
const INITIAL_DIGIT = 0;
const DIGIT = 1;
const LETTER = 2;
const SUFFIX = 3;
const SUFFIX_NO = 4;
const COMMIT_HASH = 5;
const REVISION_NO = 6;
const END = 7;
const INVALID = 8;

// Suffix ranks: below NONE sorts before the release, above after it.
const SUFFIXES: Readonly<Record<string, number>> = {
  alpha: 1,
  beta: 2,
  pre: 3,
  rc: 4,
  cvs: 6,
  svn: 7,
  git: 8,
  hg: 9,
  p: 10,
};
const SUFFIX_NONE = 5;

interface Token {
  type: number;
  /** Raw text of the token (digits, letter, suffix name or hash). */
  value: string;
  /** Digits as apk_blob_pull_uint reads them: uint64, wrapping on overflow. */
  number: bigint;
  suffix: number;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isLower = (c: number): boolean => c >= 97 && c <= 122;
const isHex = (c: number): boolean => isDigit(c) || (c >= 97 && c <= 102);

/** A cursor over one version string producing apk's tokens. */
class Tokenizer {
  pos = 0;
  readonly t: Token = { type: INITIAL_DIGIT, value: '', number: 0n, suffix: 0 };
  constructor(readonly s: string) {
    this.digits();
  }

  private digits(): void {
    const start = this.pos;
    while (this.pos < this.s.length && isDigit(this.s.charCodeAt(this.pos))) this.pos++;
    const text = this.s.slice(start, this.pos);
    this.t.value = text;
    this.t.number = text.length <= 15 ? BigInt(Number(text)) : BigInt.asUintN(64, BigInt(text));
    if (text === '') this.t.type = INVALID;
  }

  next(): void {
    const t = this.t;
    const s = this.s;
    if (this.pos >= s.length) {
      t.type = END;
      return;
    }
    const c = s.charCodeAt(this.pos);
    if (isLower(c)) {
      if (t.type > DIGIT) {
        this.invalid();
        return;
      }
      t.value = s.charAt(this.pos);
      t.type = LETTER;
      this.pos++;
    } else if (c === 46 /* . */ || isDigit(c)) {
      if (c === 46) {
        if (t.type > DIGIT) {
          this.invalid();
          return;
        }
        this.pos++;
      }
      if (t.type === INITIAL_DIGIT || t.type === DIGIT) t.type = DIGIT;
      else if (t.type === SUFFIX) t.type = SUFFIX_NO;
      else {
        this.invalid();
        return;
      }
      this.digits();
    } else if (c === 95 /* _ */) {
      if (t.type > SUFFIX_NO) {
        this.invalid();
        return;
      }
      const start = ++this.pos;
      while (this.pos < s.length && isLower(s.charCodeAt(this.pos))) this.pos++;
      t.value = s.slice(start, this.pos);
      const rank = Object.hasOwn(SUFFIXES, t.value) ? SUFFIXES[t.value] : undefined;
      if (rank === undefined) {
        this.invalid();
        return;
      }
      t.suffix = rank;
      t.type = SUFFIX;
    } else if (c === 126 /* ~ */) {
      if (t.type >= COMMIT_HASH) {
        this.invalid();
        return;
      }
      const start = ++this.pos;
      while (this.pos < s.length && isHex(s.charCodeAt(this.pos))) this.pos++;
      t.value = s.slice(start, this.pos);
      if (t.value === '') {
        this.invalid();
        return;
      }
      t.type = COMMIT_HASH;
    } else if (c === 45 /* - */) {
      if (t.type >= REVISION_NO || s.charAt(this.pos + 1) !== 'r') {
        this.invalid();
        return;
      }
      this.pos += 2;
      t.type = REVISION_NO;
      this.digits();
    } else {
      this.invalid();
    }
  }

  private invalid(): void {
    this.t.type = INVALID;
  }
}

function tokenCompare(a: Token, b: Token): number {
  switch (a.type) {
    case DIGIT:
      // Gentoo rule kept by apk: a component with a leading zero compares as a string.
      if (a.value.charAt(0) === '0' || b.value.charAt(0) === '0') return compareStrings(a.value, b.value);
      return a.number < b.number ? -1 : a.number > b.number ? 1 : 0;
    case INITIAL_DIGIT:
    case SUFFIX_NO:
    case REVISION_NO:
      return a.number < b.number ? -1 : a.number > b.number ? 1 : 0;
    case LETTER:
      return compareStrings(a.value, b.value);
    case SUFFIX:
      return a.suffix - b.suffix < 0 ? -1 : a.suffix > b.suffix ? 1 : 0;
    default:
      return compareStrings(a.value, b.value);
  }
}

/** apk_version_validate(). */
export function isValidApkVersion(v: string): boolean {
  const tok = new Tokenizer(v);
  while (tok.t.type < END) tok.next();
  return tok.t.type === END;
}

/** apk_version_compare() on two versions (valid or not, exactly as apk does). */
export function apkVersionCompare(a: string, b: string): number {
  const ta = new Tokenizer(a);
  const tb = new Tokenizer(b);
  while (ta.t.type === tb.t.type && ta.t.type < END) {
    const r = tokenCompare(ta.t, tb.t);
    if (r !== 0) return r;
    ta.next();
    tb.next();
  }
  const at = ta.t;
  const bt = tb.t;
  if (at.type === bt.type) return 0;
  if (at.type === SUFFIX && at.suffix < SUFFIX_NONE) return -1;
  if (bt.type === SUFFIX && bt.suffix < SUFFIX_NONE) return 1;
  return at.type > bt.type ? -1 : 1;
}

function check(v: string): void {
  if (!isValidApkVersion(v)) {
    throw invalidVersion(
      'apk',
      v,
      'expected digit{.digit}...{letter}{_suffix{#}}...{~hash}{-r#} (apk-tools version rules)',
    );
  }
}

export const apk: VersionScheme = {
  name: 'apk',
  valid: isValidApkVersion,
  compare: (a, b) => {
    check(a);
    check(b);
    return apkVersionCompare(a, b);
  },
};
