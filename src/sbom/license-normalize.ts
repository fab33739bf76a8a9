import spdxCorrect from 'spdx-correct';
import parseSpdxExpression from 'spdx-expression-parse';
import { boundedMemo, ownValue, persistentMemo, toolVersion } from '../core/index.js';
import { debianShortName } from './license-debian.js';
import { toSpdxExpression } from './license.js';
import { SPDX_EXCEPTION_IDS, spdxExceptionId, spdxLicenseId as licenseId } from './spdx-ids.js';

/** A declared licence as an SPDX expression, or kept verbatim as unknown. Blank: neither. */
export interface NormalizedLicense {
  readonly spdx?: string;
  readonly unknown?: string;
}

const MAX_DECLARED = 4096;

/** True for one id of the SPDX licence list, spelled as the list does ("MIT", not "mit" nor "MIT OR X"). */
export const isLicenseListId = (text: string): boolean => licenseId(text) === text;

/**
 * SPDX 2.x deprecated the GNU ids without -only/-or-later (GPL-2.0 →
 * GPL-2.0-only, GPL-2.0+ → GPL-2.0-or-later; SPDX licence list 3.0).
 */
function upgradeGnu(id: string, plus: boolean): string {
  const m = /^(A?GPL|LGPL|GFDL)-(\d\.\d)$/.exec(id);
  if (m) return licenseId(`${id}-${plus ? 'or-later' : 'only'}`) ?? (plus ? `${id}+` : id);
  return plus ? `${id}+` : id;
}

/**
 * npm's "UNLICENSED" means "no licence granted" (package.json docs), not the
 * Unlicense; "SEE LICENSE IN file" names no licence. Both stay unknown.
 */
const NOT_A_LICENSE =
  /^(?:unlicensed|see licen[cs]e in\b.*|proprietary|commercial|other|unknown|none|noassertion|custom)$/i;

/**
 * Normalises a declared licence to an SPDX licence expression:
 *  1. a valid SPDX expression (ids matched case-insensitively, deprecated GNU
 *     ids upgraded to -only/-or-later);
 *  2. otherwise DEP-5 syntax: Debian short names (GPL-2+, Expat,
 *     public-domain → LicenseRef-public-domain …) joined by lower-case
 *     "or"/"and", "with X exception", commas for precedence ("A or B, and C"
 *     is "(A or B) AND C"; "and" binds tighter than "or", as in SPDX);
 *  3. otherwise each name through spdx-correct, refusing its guesses: a
 *     version the text does not state ("GPL" → GPL-3.0-or-later, "BSD" →
 *     BSD-2-Clause) or "or later" the text does not say.
 * Anything else, and any expression with an unrecognised part, is returned
 * as `unknown`, verbatim.
 */
function normalizeUncached(declared: string): NormalizedLicense {
  const text = declared.trim();
  if (text === '') return {};
  if (text.length > MAX_DECLARED || NOT_A_LICENSE.test(text)) return { unknown: text };
  const spdx = toSpdxExpression(text);
  if (spdx !== undefined) return { spdx: upgradeExpression(spdx) };
  const parsed = parseLoose(text);
  if (parsed !== undefined) {
    try {
      parseSpdxExpression(parsed);
      return { spdx: parsed };
    } catch {
      // fall through: not expressible in SPDX
    }
  }
  return { unknown: text };
}

/**
 * How much normalizeLicense remembers. An image's packages share few licence
 * texts (the benchmark image: 643 packages, 180 distinct texts, the longest
 * 448 characters) and every SBOM writer asks for each package's licence more
 * than once; 2048 texts of up to 1024 characters cover any image while a
 * hostile one can make the process hold at most ~2 M characters of keys.
 */
export const LICENSE_MEMO_ENTRIES = 2048;
const LICENSE_MEMO_KEY_LENGTH = 1024;

/**
 * The version of normalizeLicense's answers. Bump it whenever any answer may change (a rule
 * here or in license.ts / license-debian.ts, spdx-correct, the SPDX lists): answers kept from
 * an earlier run (below) are reused only under the same version and customs version.
 * license-normalize.test.ts pins the answers to a corpus and says so when they change.
 */
export const LICENSE_ANSWERS_VERSION = 1;

/**
 * normalizeLicense (the rules of normalizeUncached above) is a pure function
 * of its text, so it is remembered (bounded; a longer text is normalised every
 * time). The answers are frozen: every caller shares them.
 */
export const licenseMemo = boundedMemo(
  (declared: string) => Object.freeze(withoutStackTraces(() => normalizeUncached(declared))),
  {
    maxEntries: LICENSE_MEMO_ENTRIES,
    maxKeyLength: LICENSE_MEMO_KEY_LENGTH,
  },
);

/**
 * A declared licence as SPDX (or unknown, verbatim). A command with a cache reads the answers
 * of its last run on first use and saves the memo when it learnt new ones
 * (core/persisted-memos.ts): a warm SBOM of the bench image otherwise spends ~40 ms
 * normalising its 180 licence texts again.
 */
export const normalizeLicense: (declared: string) => NormalizedLicense = persistentMemo(
  licenseMemo,
  () => `license-normalize/${LICENSE_ANSWERS_VERSION}/${toolVersion()}`,
  seedLicenseMemo,
);

/** Seed the memo from saved entries, each checked to be a [text, answer] pair of the right shape. */
export function seedLicenseMemo(saved: unknown): void {
  if (!Array.isArray(saved)) return;
  for (const entry of saved) {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string') continue;
    const answer: unknown = entry[1];
    if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) continue;
    const keys = Object.keys(answer);
    const { spdx, unknown } = answer as Record<string, unknown>;
    const shaped =
      keys.length === 0 ||
      (keys.length === 1 && keys[0] === 'spdx' && typeof spdx === 'string') ||
      (keys.length === 1 && keys[0] === 'unknown' && typeof unknown === 'string');
    if (shaped) licenseMemo.seed(entry[0], Object.freeze({ ...(answer as NormalizedLicense) }));
  }
}

/**
 * spdx-expression-parse reports an invalid expression by throwing, and spdx-correct
 * tries dozens of rewrites of an unknown name through it: capturing a stack trace for
 * each of those errors is a fifth of the time of normalising an image's licences, and
 * none of them leaves normalizeLicense.
 */
function withoutStackTraces<T>(fn: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return fn();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Rewrites deprecated GNU ids in a valid SPDX expression. */
function upgradeExpression(expr: string): string {
  return expr.replace(
    /\b(A?GPL|LGPL|GFDL)-(\d\.\d)(\+|-only\b|-or-later\b)?/g,
    (all, fam: string, ver: string, suffix?: string) => {
      if (suffix === '-only' || suffix === '-or-later') return all;
      return upgradeGnu(`${fam}-${ver}`, suffix === '+');
    },
  );
}

type Token =
  | { t: 'op'; v: 'AND' | 'OR' }
  | { t: 'comma' }
  | { t: 'with' }
  | { t: 'open' }
  | { t: 'close' }
  | { t: 'word'; v: string };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const raw of text.split(/(\s+|,|\(|\))/)) {
    const w = raw.trim();
    if (w === '') continue;
    const lower = w.toLowerCase();
    if (w === ',' || w === ';') out.push({ t: 'comma' });
    else if (w === '(') out.push({ t: 'open' });
    else if (w === ')') out.push({ t: 'close' });
    else if (lower === 'and' || lower === '&') out.push({ t: 'op', v: 'AND' });
    else if (lower === 'or') out.push({ t: 'op', v: 'OR' });
    else if (lower === 'with') out.push({ t: 'with' });
    else out.push({ t: 'word', v: w });
  }
  return out;
}

/**
 * A DEP-5 / free-text licence expression as SPDX, or undefined when any part
 * is not recognised. Grammar: list := group ("," [op] group)*; group :=
 * term (op term)*; term := "(" list ")" | name ["with" exception].
 */
function parseLoose(text: string): string | undefined {
  const tokens = tokenize(text);
  let i = 0;
  let failed = false;
  const fail = (): string => {
    failed = true;
    return '';
  };

  const term = (): string => {
    // One unrecognised part fails the whole: the rest need not be looked up.
    if (failed) return '';
    const tok = tokens[i];
    if (tok?.t === 'open') {
      i++;
      const inner = list();
      if (tokens[i]?.t !== 'close') return fail();
      i++;
      return `(${inner})`;
    }
    const words: string[] = [];
    for (let tok = tokens[i]; tok?.t === 'word'; tok = tokens[++i]) words.push(tok.v);
    if (words.length === 0) return fail();
    const id = atom(words.join(' '));
    if (id === undefined) return fail();
    if (tokens[i]?.t === 'with') {
      i++;
      const ex: string[] = [];
      for (let tok = tokens[i]; tok?.t === 'word'; tok = tokens[++i]) ex.push(tok.v);
      const exception = exceptionId(ex.join(' '), id);
      if (exception === undefined || /\s(?:OR|AND)\s/.test(id)) return fail();
      return `${id} WITH ${exception}`;
    }
    return /\s(?:OR|AND)\s/.test(id) ? `(${id})` : id;
  };

  // "and" binds tighter than "or" (SPDX Annex D, DEP-5).
  const group = (): string => {
    const ors: string[][] = [[term()]];
    while (tokens[i]?.t === 'op') {
      const op = (tokens[i] as { v: 'AND' | 'OR' }).v;
      i++;
      const next = term();
      if (op === 'AND') ors[ors.length - 1]?.push(next);
      else ors.push([next]);
    }
    return ors.map((ands) => ands.join(' AND ')).join(' OR ');
  };

  // DEP-5: a comma closes everything before it ("A or B, and C" = "(A or B) and C").
  const list = (): string => {
    let left = group();
    while (tokens[i]?.t === 'comma') {
      i++;
      let op: 'AND' | 'OR' = 'AND';
      const tok = tokens[i];
      if (tok?.t === 'op') {
        op = tok.v;
        i++;
      }
      const right = group();
      left = `${wrap(left)} ${op} ${wrap(right)}`;
    }
    return left;
  };

  const result = list();
  if (failed || i !== tokens.length) return undefined;
  return unwrap(result);
}

/** "(A OR B)" → "A OR B" when the parentheses enclose the whole expression. */
function unwrap(expr: string): string {
  if (!expr.startsWith('(') || !expr.endsWith(')')) return expr;
  let depth = 0;
  for (let k = 0; k < expr.length; k++) {
    if (expr[k] === '(') depth++;
    else if (expr[k] === ')') depth--;
    if (depth === 0 && k < expr.length - 1) return expr;
  }
  return expr.slice(1, -1);
}

function wrap(expr: string): string {
  return /\s(?:OR|AND)\s/.test(expr) && !/^\(.*\)$/.test(expr) ? `(${expr})` : expr;
}

/**
 * One licence name: an SPDX id, a DEP-5 short name, or a name spdx-correct can fix without guessing.
 * Remembered like normalizeLicense: copyright files repeat the same names across packages
 * ("GPL-2+", "permissive-fsf"), and spdx-correct tries dozens of rewrites of a name it
 * does not know before giving up.
 */
const atom = boundedMemo((name: string) => atomUncached(name), {
  maxEntries: LICENSE_MEMO_ENTRIES,
  maxKeyLength: LICENSE_MEMO_KEY_LENGTH,
});

function atomUncached(name: string): string | undefined {
  const trimmed = name.trim();
  const plus = trimmed.endsWith('+') && !trimmed.includes(' ');
  const bare = plus ? trimmed.slice(0, -1) : trimmed;
  const exact = licenseId(bare);
  if (exact !== undefined) return upgradeGnu(exact, plus);
  if (NOT_A_LICENSE.test(trimmed)) return undefined;
  const debian = debianShortName(trimmed, licenseId);
  if (debian !== undefined) return debian;
  if (/^(?:public[ -]domain|pd)$/i.test(trimmed)) return 'LicenseRef-public-domain';
  const corrected = spdxCorrect(trimmed, { upgrade: true });
  if (corrected === null || !notGuessed(trimmed, corrected)) return undefined;
  return corrected;
}

/** spdx-correct may invent a version or "or later"; accept only what the text states. */
function notGuessed(text: string, id: string): boolean {
  if (/like|style|similar|based|variant|modified/i.test(text)) return false;
  const version = /-(\d+(?:\.\d+)*)(?:-|$)/.exec(id)?.[1];
  if (version !== undefined && !SINGLE_VERSION.has(id)) {
    const major = version.split('.')[0] ?? '';
    if (!new RegExp(`(?:^|\\D)${major}(?:\\D|$)`).test(text)) return false;
  }
  if (id.endsWith('-or-later') && !/\+|later|newer/i.test(text)) return false;
  return true;
}

/** Licences with a single version on the SPDX list: naming the family names the version. */
const SINGLE_VERSION = new Set(['CC0-1.0', 'PSF-2.0', 'BSL-1.0', 'Unicode-DFS-2016', 'bzip2-1.0.6']);

/**
 * Debian's unversioned exception names where the SPDX list has several
 * versions, by the GPL version they accompany: the Bison skeleton exception
 * is 1.24 in GPL-2 skeletons and 2.2 in GPL-3 ones (bash, tar, coreutils);
 * the Autoconf exception is 2.0 for GPL-2 and 3.0 for GPL-3 (the texts SPDX
 * lists under those ids). "OCaml linking exception" is SPDX's
 * OCaml-LGPL-linking-exception (it exists for the LGPL only).
 */
const DEBIAN_EXCEPTIONS: Readonly<Record<string, (gplMajor: string | undefined) => string | undefined>> = {
  'bison exception': (v) => (v === '2' ? 'Bison-exception-1.24' : 'Bison-exception-2.2'),
  'autoconf exception': (v) =>
    v === '2' ? 'Autoconf-exception-2.0' : v === '3' ? 'Autoconf-exception-3.0' : undefined,
  'ocaml linking exception': () => 'OCaml-LGPL-linking-exception',
};

/** "OpenSSL exception", "Classpath exception 2.0", "GCC-exception-3.1" → an SPDX exception id. */
function exceptionId(text: string, licence: string): string | undefined {
  const debian = ownValue(DEBIAN_EXCEPTIONS, text.trim().toLowerCase().replace(/\s+/g, ' '));
  if (debian !== undefined) return debian(/^(?:A|L)?GPL-(\d)/.exec(licence)?.[1]);
  const t = text.trim().replace(/\s+/g, '-');
  const direct = spdxExceptionId(t);
  if (direct !== undefined) return direct;
  const base = t.replace(/-?exception(?:-?([\d.]+))?$/i, '');
  // Ids without the word ("Linux-syscall-note exception" is SPDX's Linux-syscall-note).
  const bare = spdxExceptionId(base);
  if (bare !== undefined) return bare;
  const version = /exception-?([\d.]+)$/i.exec(t)?.[1];
  const candidates = SPDX_EXCEPTION_IDS.filter((id) =>
    version !== undefined
      ? id.toLowerCase() === `${base}-exception-${version}`.toLowerCase()
      : id.toLowerCase().startsWith(`${base.toLowerCase()}-exception`),
  );
  // Only an unambiguous match: "Autoconf exception" has several versions and stays unknown.
  return candidates.length === 1 ? candidates[0] : undefined;
}

/**
 * A declared licence as an SBOM shows it: the whole as one SPDX expression
 * when it normalises, else its top-level AND parts (a package under several
 * licences, as copyright files give them), each normalised where it can be
 * (`spdx`) and kept as written otherwise (`text` is always the part as declared).
 */
export type SbomLicense =
  | { readonly kind: 'expression'; readonly expression: string }
  | { readonly kind: 'parts'; readonly parts: readonly { readonly spdx?: string; readonly text: string }[] };

export function sbomLicense(declared: string): SbomLicense | undefined {
  const text = declared.trim();
  if (text === '') return undefined;
  const whole = normalizeLicense(text);
  if (whole.spdx !== undefined) return { kind: 'expression', expression: whole.spdx };
  const parts = text.length > MAX_DECLARED ? [text] : splitTopLevelAnd(text);
  return {
    kind: 'parts',
    parts: parts.map((part) => {
      const n = parts.length > 1 ? normalizeLicense(part) : {};
      return n.spdx !== undefined ? { spdx: n.spdx, text: part } : { text: part };
    }),
  };
}

/** The licence an SBOM writes, as one string (to tell whether it differs from the declared one). */
export function sbomLicenseText(declared: string): string | undefined {
  const l = sbomLicense(declared);
  if (l === undefined) return undefined;
  return l.kind === 'expression' ? l.expression : l.parts.map((p) => p.spdx ?? p.text).join(' AND ');
}

/** "A AND (B OR C) and D" → A, (B OR C), D: AND (either case) outside parentheses. */
function splitTopLevelAnd(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  const re = /[()]|\s+and\s+/gi;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[0] === '(') depth++;
    else if (m[0] === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0) {
      out.push(text.slice(start, m.index).trim());
      start = m.index + m[0].length;
    }
  }
  out.push(text.slice(start).trim());
  return out.filter((p) => p !== '');
}

/**
 * Licences an OS package's copyright file declares, as one declared licence:
 * all apply (AND), and a name that is itself an expression is parenthesised
 * so that joining does not change what it says.
 */
export function joinDeclaredLicenses(licenses: readonly string[]): string {
  return licenses.map((l) => (/\s(?:or|and|OR|AND),?\s|,/.test(l) ? `(${l})` : l)).join(' AND ');
}
