import type { SecretFact } from '../types.js';
import type { SecretAllowRule } from './config.js';
import { isPlaceholder } from './placeholder.js';
import { redactMatch, shannonEntropy } from './rule.js';
import type { CompiledRule, SecretRuleSet } from './rule-set.js';

/** Binary content: a NUL byte in this many leading bytes (as git and grep decide). */
export const BINARY_SNIFF_BYTES = 8192;

/** At most this many findings per rule and file: a hostile file cannot flood the report. */
const MAX_FINDINGS_PER_RULE = 100;

export function isBinary(head: Uint8Array): boolean {
  return head.subarray(0, BINARY_SNIFF_BYTES).includes(0);
}

interface Candidate {
  readonly rule: CompiledRule;
  readonly matchStart: number;
  readonly secretStart: number;
  readonly secretEnd: number;
  readonly match: string;
}

/**
 * Secrets in a file's bytes. One pass over the bytes finds which rule
 * keywords occur; only then is the text decoded and only the rules whose
 * keywords occur run their regexes. Binary content yields nothing.
 */
export function scanBytes(bytes: Uint8Array, path: string, set: SecretRuleSet): SecretFact[] {
  if (bytes.length === 0 || isBinary(bytes)) return [];
  const present = set.index.present(bytes);
  const todo = set.rules.filter(
    (r) =>
      (r.keywords.length === 0 || r.keywords.some((k) => present[k] === 1)) && (!r.rule.path || r.rule.path.test(path)),
  );
  if (todo.length === 0) return [];
  return runRules(
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'),
    path,
    todo,
    set.allowRules,
  );
}

/** Secrets in a string (image config values, history lines, tests). */
export function scanText(text: string, path: string, set: SecretRuleSet): SecretFact[] {
  return scanBytes(Buffer.from(text, 'utf8'), path, set);
}

/** A secret found in a string, with where its value is: text.slice(start, end). */
export interface LocatedSecret {
  readonly fact: SecretFact;
  readonly start: number;
  readonly end: number;
}

/** Secrets in a string with the position of each value, for redacting the string itself. */
export function findSecrets(text: string, path: string, set: SecretRuleSet): LocatedSecret[] {
  if (text === '') return [];
  const bytes = Buffer.from(text, 'utf8');
  const present = set.index.present(bytes);
  const todo = set.rules.filter(
    (r) =>
      (r.keywords.length === 0 || r.keywords.some((k) => present[k] === 1)) && (!r.rule.path || r.rule.path.test(path)),
  );
  return todo.length === 0 ? [] : locateSecrets(text, path, todo, set.allowRules);
}

function runRules(
  text: string,
  path: string,
  rules: readonly CompiledRule[],
  allow: readonly SecretAllowRule[],
): SecretFact[] {
  return locateSecrets(text, path, rules, allow).map((s) => s.fact);
}

function locateSecrets(
  text: string,
  path: string,
  rules: readonly CompiledRule[],
  allow: readonly SecretAllowRule[],
): LocatedSecret[] {
  const accepted: Candidate[] = [];
  for (const cr of rules) {
    const { rule, regex } = cr;
    regex.lastIndex = 0;
    let found = 0;
    for (let m = regex.exec(text); m !== null && found < MAX_FINDINGS_PER_RULE; m = regex.exec(text)) {
      if (m[0].length === 0) {
        regex.lastIndex++;
        continue;
      }
      const [start, end] = secretRange(m);
      const secret = text.slice(start, end);
      if (isPlaceholder(secret)) continue;
      if (rule.entropy !== undefined && shannonEntropy(secret) < rule.entropy) continue;
      if (rule.validate && !rule.validate(secret, m[0])) continue;
      if (isAllowed(allow, rule.id, path, secret, m[0])) continue;
      // Rules run in priority order: a later rule never reports characters an earlier one did.
      if (accepted.some((c) => c.secretStart < end && start < c.secretEnd)) continue;
      accepted.push({ rule: cr, matchStart: m.index, secretStart: start, secretEnd: end, match: m[0] });
      found++;
    }
  }
  if (accepted.length === 0) return [];
  const lines = new LineIndex(text);
  return accepted
    .sort((a, b) => a.matchStart - b.matchStart || a.rule.rule.id.localeCompare(b.rule.rule.id))
    .map((c) => {
      const { line, column } = lines.position(c.matchStart);
      const r = c.rule.rule;
      const fact: SecretFact = {
        ruleId: r.id,
        category: r.category,
        title: r.title,
        severity: r.severity,
        line,
        column,
        match: redactMatch(c.match, c.secretStart - c.matchStart, c.secretEnd - c.matchStart),
      };
      return { fact, start: c.secretStart, end: c.secretEnd };
    });
}

/** [start, end) of the secret: the first participating group named secret*, else the whole match. */
function secretRange(m: RegExpExecArray): [number, number] {
  const groups = m.indices?.groups;
  if (groups) {
    for (const [name, range] of Object.entries(groups)) {
      if (range && name.startsWith('secret')) return range;
    }
  }
  return [m.index, m.index + m[0].length];
}

export function isAllowed(
  allow: readonly SecretAllowRule[],
  ruleId: string,
  path: string,
  secret: string,
  match: string,
): boolean {
  return allow.some(
    (a) =>
      (!a.rules || a.rules.includes(ruleId)) &&
      (!a.paths || a.paths.some((p) => p.test(path))) &&
      (!a.regexes || a.regexes.some((p) => p.test(secret) || p.test(match))),
  );
}

/** Line starts, computed only for files with findings. */
class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  /** 1-based line and column (in UTF-16 code units) of a string index. */
  position(index: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= index) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: index - (this.starts[lo] as number) + 1 };
  }
}
