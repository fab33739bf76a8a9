import { type Document, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { CustomsError, yamlNestingProblem } from '../core/index.js';
import { celProblem } from './rules/cel-rule.js';
import type { Policy, PolicyException, PolicyRule } from './policy-model.js';
import { type PolicyFile, PolicyFileSchema, RULE_KINDS } from './schema.js';
import { schemaProblems } from './schema-errors.js';
import { parseConstraint } from './version-constraint.js';

const MAX_POLICY_BYTES = 4 * 1024 * 1024;
/** Problems of one file listed in the error; the rest are counted (a hostile file can have millions). */
const MAX_REPORTED_PROBLEMS = 50;

/**
 * Loads and merges policy files, in the order given (org baseline first, team
 * overrides later). For each file in turn: its rules are added, a rule whose
 * id is already defined replaces the earlier one (keeping its position), its
 * exceptions are appended, and `disable` removes the rules with those ids
 * defined so far (a later file can define them again). Every problem in every
 * file is listed in one POLICY_INVALID error, by file and field path.
 */
export function loadPolicies(files: readonly { readonly path: string; readonly text: string }[], now: Date): Policy {
  if (Number.isNaN(now.getTime())) throw new CustomsError('POLICY_INVALID', 'loadPolicies: `now` is not a valid date');
  const problems: string[] = [];
  const rules = new Map<string, PolicyRule>();
  const exceptions: PolicyException[] = [];
  let packageDatabaseUnknowns: Policy['packageDatabaseUnknowns'];
  for (const { path, text } of files) {
    const file = parseFile(path, text, problems);
    if (file === undefined) continue;
    const seen = new Set<string>();
    (file.rules ?? []).forEach((rule, i) => {
      const where = `${path}: rules[${i.toString()}]`;
      if (seen.has(rule.id)) problems.push(`${where}.id: duplicate rule id "${rule.id}" in this file`);
      seen.add(rule.id);
      const kinds = RULE_KINDS.filter((k) => rule[k] !== undefined);
      if (kinds.length !== 1) {
        problems.push(
          `${where}: a rule has exactly one of ${RULE_KINDS.join(', ')} (found ${kinds.length === 0 ? 'none' : kinds.join(', ')})`,
        );
      }
      for (const p of ruleProblems(rule)) problems.push(`${where}.${p}`);
      rules.set(rule.id, { spec: rule, source: path });
    });
    (file.exceptions ?? []).forEach((ex, i) => {
      const where = `${path}: exceptions[${i.toString()}]`;
      if (ex.advisory === undefined && ex.package === undefined && ex.image === undefined && ex.path === undefined) {
        problems.push(`${where}: an exception names at least one of advisory, package, image, path`);
      }
      const expiresAt = expiryInstant(ex.expires);
      if (expiresAt === undefined) {
        problems.push(`${where}.expires: "${ex.expires}" is not a calendar date`);
        return;
      }
      exceptions.push({ id: ex.id ?? `${path}#exceptions[${i.toString()}]`, spec: ex, expiresAt, source: path });
    });
    for (const id of file.disable ?? []) rules.delete(id);
    const action = file.unknowns?.packageDatabases;
    if (action !== undefined) packageDatabaseUnknowns = { action, source: path };
  }
  if (problems.length > 0) {
    throw new CustomsError(
      'POLICY_INVALID',
      `policy is invalid (${problems.length.toString()} problem${problems.length === 1 ? '' : 's'}):\n  ${problems.join('\n  ')}`,
    );
  }
  return {
    files: files.map((f) => f.path),
    rules: [...rules.values()],
    exceptions,
    ...(packageDatabaseUnknowns ? { packageDatabaseUnknowns } : {}),
  };
}

function parseFile(path: string, text: string, problems: string[]): PolicyFile | undefined {
  if (text.length > MAX_POLICY_BYTES) {
    problems.push(`${path}: larger than ${MAX_POLICY_BYTES.toString()} bytes; a policy file is small`);
    return undefined;
  }
  // Measured before parsing: the YAML parser recurses, and deep nesting costs it minutes and
  // gigabytes before it gives up (core/untrusted-data.ts). A policy nests a few levels.
  const deep = yamlNestingProblem(text);
  if (deep !== undefined) {
    problems.push(`${path}: ${deep}`);
    return undefined;
  }
  // Duplicate keys are found by duplicateKeyProblems, not by the parser's uniqueKeys,
  // which compares every key of a mapping with every other: 20,000 keys took 7 s.
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: true });
  const syntax = doc.errors.map(
    (e) => `line ${(e.linePos?.[0]?.line ?? 0).toString()}: ${e.message.split('\n')[0] ?? ''}`,
  );
  const found = syntax.length > 0 ? syntax : duplicateKeyProblems(doc, text);
  if (found.length > 0) {
    for (const p of found.slice(0, MAX_REPORTED_PROBLEMS)) problems.push(`${path}: ${p}`);
    if (found.length > MAX_REPORTED_PROBLEMS)
      problems.push(`${path}: … and ${(found.length - MAX_REPORTED_PROBLEMS).toString()} more`);
    return undefined;
  }
  let raw: unknown;
  try {
    // maxAliasCount bounds "billion laughs" alias expansion.
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    problems.push(`${path}: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
  const bad = schemaProblems(PolicyFileSchema, raw);
  for (const p of bad) problems.push(`${path}: ${p}`);
  return bad.length > 0 ? undefined : (raw as PolicyFile);
}

/**
 * "line N: duplicate key K" for every mapping key seen twice in its mapping,
 * in one linear, iterative walk (a Set per mapping; no recursion, so nesting
 * depth cannot overflow the stack — yamlNestingProblem bounds it anyway).
 */
function duplicateKeyProblems(doc: Document, text: string): string[] {
  const out: string[] = [];
  const newlines: number[] = [];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) newlines.push(i);
  /** 1-based line of a character offset: newlines before it, plus one (binary search). */
  const lineOf = (offset: number): number => {
    let lo = 0;
    let hi = newlines.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((newlines[mid] ?? 0) < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        if (seen.has(key)) {
          const at = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
          out.push(`line ${at === undefined ? '?' : lineOf(at).toString()}: duplicate key "${key}" in one mapping`);
        } else seen.add(key);
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return out;
}

/** Checks the schema cannot express: constraints, globs, CEL syntax. */
function ruleProblems(rule: PolicyFile['rules'] extends (infer R)[] | undefined ? R : never): string[] {
  const out: string[] = [];
  rule.packages?.forbidden?.forEach((f, i) => {
    if (f.versions !== undefined) {
      const c = parseConstraint(f.versions);
      if (typeof c === 'string') out.push(`packages.forbidden[${i.toString()}].versions: ${c}`);
    }
  });
  if (rule.cel !== undefined) {
    const expr = typeof rule.cel === 'string' ? rule.cel : rule.cel.expression;
    const p = celProblem(expr);
    if (p !== undefined) out.push(`cel: ${p}`);
  }
  return out;
}

/**
 * A date-only expiry is valid through that whole day (UTC): it stops applying
 * at the next midnight. A date-time expires at that instant.
 */
export function expiryInstant(expires: string): Date | undefined {
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(expires);
  if (dateOnly) {
    const [y, m, d] = [Number(dateOnly[1]), Number(dateOnly[2]), Number(dateOnly[3])];
    const t = Date.UTC(y, m - 1, d);
    const back = new Date(t);
    // Reject 2025-02-30 and friends instead of rolling them over.
    if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) return undefined;
    return new Date(t + 86_400_000);
  }
  const t = Date.parse(expires);
  return Number.isNaN(t) ? undefined : new Date(t);
}
