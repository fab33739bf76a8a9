import type { FindingSeverity } from '../types.js';

export const SECRET_CATEGORIES = [
  'cloud',
  'vcs',
  'ci',
  'payment',
  'messaging',
  'database',
  'registry',
  'private-key',
  'jwt',
  'url-credentials',
  'generic',
  'custom',
] as const;
export type SecretCategory = (typeof SECRET_CATEGORIES)[number];

/**
 * One secret-detection rule. The scanner runs `regex` only over text that
 * contains at least one of `keywords` (lower-case literals), so every rule
 * must have keywords that any true match contains.
 *
 * Regexes must stay linear on hostile input: every repetition is bounded
 * (`{m,n}`) and no quantified group contains another quantifier over the same
 * characters. `scan-text.test.ts` runs every rule over long adversarial lines.
 */
export interface SecretRule {
  /** kebab-case, stable: users allow-list findings by it. */
  readonly id: string;
  readonly category: SecretCategory;
  readonly title: string;
  readonly severity: FindingSeverity;
  /** Lower-case literals; a file is searched with `regex` only if it contains one. */
  readonly keywords: readonly string[];
  /**
   * Global ("g") regex. The first participating named group whose name starts
   * with `secret` (`secret`, `secret2`, `secretDq` …: alternatives cannot share
   * a name in Node 20) marks the value to redact and measure; without one the
   * whole match is the secret.
   */
  readonly regex: RegExp;
  /** Minimum Shannon entropy (bits per character) of the secret value. */
  readonly entropy?: number;
  /** Extra check on the secret value (checksum, decodable header …); `match` is the whole matched text. */
  readonly validate?: (secret: string, match: string) => boolean;
  /** Only files whose path matches are searched (for rules tied to a file format). */
  readonly path?: RegExp;
  /** Test cases kept beside the rule: texts that must match, and look-alikes that must not. */
  readonly examples?: { readonly positives: readonly string[]; readonly negatives: readonly string[] };
}

/** Shannon entropy of a string in bits per character (0 for ""). */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  const n = [...s].length;
  for (const c of counts.values()) {
    const p = c / n;
    h -= p * Math.log2(p);
  }
  return h;
}

/** Never show more than this many asterisks: the length of a long secret is not worth printing. */
const MAX_STARS = 24;

/**
 * The secret with all but a short prefix replaced by "*": at most 4 characters
 * and at most a quarter of the value are kept, so short passwords show nothing.
 */
export function redactSecret(secret: string): string {
  const keep = Math.min(4, Math.floor(secret.length / 4));
  return `${secret.slice(0, keep)}${'*'.repeat(Math.min(MAX_STARS, Math.max(1, secret.length - keep)))}`;
}

/** Matched text shown in findings: secret redacted, on one line, at most this long. */
const MAX_MATCH = 160;

/** `match` with the secret at [start, end) redacted, control characters flattened, shortened. */
export function redactMatch(match: string, start: number, end: number): string {
  const shown = `${match.slice(0, start)}${redactSecret(match.slice(start, end))}${match.slice(end)}`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is being replaced
  const one = shown.replace(/\r?\n/g, '\\n').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, ' ');
  return one.length > MAX_MATCH ? `${one.slice(0, MAX_MATCH - 3)}...` : one;
}
