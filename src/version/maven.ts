/**
 * Maven version order: org.apache.maven.artifact.versioning.ComparableVersion
 * as shipped in Maven 3.9 (and 3.8.x): items split at `.` and `-` and at
 * letter/digit transitions; `-` and a transition open a sub-list; trailing
 * "null" items (0, "", ga, final, release) are dropped; qualifiers order
 * alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release < sp,
 * then unknown qualifiers lexically; a1/b1/m1 mean alpha-1/beta-1/milestone-1.
 * See https://maven.apache.org/pom.html#version-order-specification.
 */
import { invalidVersion } from './invalid-version.js';
import { compareDigits, compareStrings } from './digits.js';
import type { VersionScheme } from './types.js';

type Item =
  | { readonly kind: 'int'; readonly value: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'list'; readonly items: Item[] };

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Readonly<Record<string, string>> = { ga: '', final: '', release: '', cr: 'rc' };
const RELEASE_INDEX = String(QUALIFIERS.indexOf(''));

function comparableQualifier(q: string): string {
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
}

// Java's Character.isDigit(char): any Unicode decimal digit in one UTF-16 unit.
const DIGIT_RE = /^\p{Nd}$/u;
function isJavaDigit(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 128) return c >= 48 && c <= 57;
  return DIGIT_RE.test(ch);
}

/** Decimal value of a Unicode Nd digit: Nd digits come in runs of ten starting at zero. */
function digitValue(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c < 128) return c - 48;
  let k = 0;
  while (k < 9 && isJavaDigit(String.fromCharCode(c - k - 1))) k++;
  return k;
}

function intItem(digits: string): Item {
  let ascii = '';
  for (let i = 0; i < digits.length; i++) ascii += String(digitValue(digits, i));
  const stripped = ascii.replace(/^0+/, '');
  return { kind: 'int', value: stripped === '' ? '0' : stripped };
}

function stringItem(value: string, followedByDigit: boolean): Item {
  let v = value;
  if (followedByDigit && v.length === 1) {
    if (v === 'a') v = 'alpha';
    else if (v === 'b') v = 'beta';
    else if (v === 'm') v = 'milestone';
  }
  return { kind: 'string', value: Object.hasOwn(ALIASES, v) ? (ALIASES[v] ?? v) : v };
}

const ZERO: Item = { kind: 'int', value: '0' };
const parseItem = (isDigit: boolean, buf: string): Item => (isDigit ? intItem(buf) : stringItem(buf, false));

function isNull(item: Item): boolean {
  switch (item.kind) {
    case 'int':
      return item.value === '0';
    case 'string':
      return comparableQualifier(item.value) === RELEASE_INDEX;
    case 'list':
      return item.items.length === 0;
  }
}

function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const last = list[i] as Item;
    if (isNull(last)) list.splice(i, 1);
    else if (last.kind !== 'list') break;
  }
}

/** ComparableVersion.parseVersion(). */
export function parseMavenVersion(input: string): Item {
  const version = input.toLowerCase();
  const root: Item[] = [];
  let list = root;
  const stack: Item[][] = [root];
  const push = (): void => {
    const sub: Item[] = [];
    list.push({ kind: 'list', items: sub });
    list = sub;
    stack.push(sub);
  };
  let isDigit = false;
  let start = 0;
  for (let i = 0; i < version.length; i++) {
    const c = version.charAt(i);
    if (c === '.') {
      list.push(i === start ? ZERO : parseItem(isDigit, version.slice(start, i)));
      start = i + 1;
    } else if (c === '-') {
      list.push(i === start ? ZERO : parseItem(isDigit, version.slice(start, i)));
      start = i + 1;
      push();
    } else if (isJavaDigit(c)) {
      if (!isDigit && i > start) {
        // 1.0.0.X1 < 1.0.0-X2: a qualifier followed by digits opens a sub-list.
        if (list.length > 0) push();
        list.push(stringItem(version.slice(start, i), true));
        start = i;
        push();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.push(parseItem(true, version.slice(start, i)));
        start = i;
        push();
      }
      isDigit = false;
    }
  }
  if (version.length > start) {
    if (!isDigit && list.length > 0) push();
    list.push(parseItem(isDigit, version.slice(start)));
  }
  while (stack.length > 0) normalize(stack.pop() as Item[]);
  return { kind: 'list', items: root };
}

function compareItem(a: Item, b: Item | undefined): number {
  switch (a.kind) {
    case 'int':
      if (b === undefined) return a.value === '0' ? 0 : 1;
      return b.kind === 'int' ? compareDigits(a.value, b.value) : 1;
    case 'string':
      if (b === undefined) return compareStrings(comparableQualifier(a.value), RELEASE_INDEX);
      if (b.kind === 'string') return compareStrings(comparableQualifier(a.value), comparableQualifier(b.value));
      return -1;
    case 'list': {
      if (b === undefined) {
        // MNG-6964: the whole list decides against nothing, not just its first item.
        for (const item of a.items) {
          const r = compareItem(item, undefined);
          if (r !== 0) return r;
        }
        return 0;
      }
      if (b.kind === 'int') return -1;
      if (b.kind === 'string') return 1;
      const n = Math.max(a.items.length, b.items.length);
      for (let i = 0; i < n; i++) {
        const l = a.items[i];
        const r = b.items[i];
        const result = l === undefined ? (r === undefined ? 0 : -compareItem(r, undefined)) : compareItem(l, r);
        if (result !== 0) return result;
      }
      return 0;
    }
  }
}

/** Canonical form as ComparableVersion.getCanonical() prints it (for messages and tests). */
export function mavenCanonical(v: string): string {
  const str = (item: Item): string => {
    if (item.kind !== 'list') return item.value;
    let out = '';
    for (const it of item.items) {
      if (out.length > 0) out += it.kind === 'list' ? '-' : '.';
      out += str(it);
    }
    return out;
  };
  return str(parseMavenVersion(v));
}

function check(v: string): void {
  if (v === '') throw invalidVersion('maven', v, 'empty');
}

export function compareMaven(a: string, b: string): number {
  const r = compareItem(parseMavenVersion(a), parseMavenVersion(b));
  return r < 0 ? -1 : r > 0 ? 1 : 0;
}

export const maven: VersionScheme = {
  name: 'maven',
  // ComparableVersion orders any string; only the empty string names no version at all.
  valid: (v) => v !== '',
  compare: (a, b) => {
    check(a);
    check(b);
    return compareMaven(a, b);
  },
};
