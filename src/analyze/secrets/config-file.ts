/** A secrets config file (docs/secrets.md) read and checked: YAML, a schema, safe regular expressions. */
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parseDocument } from 'yaml';
import { CustomsError, RATED_SEVERITIES, yamlNestingProblem } from '../../core/index.js';
import { DEFAULT_MAX_SECRET_FILE_SIZE, type SecretAllowRule, type SecretConfig } from './config.js';
import { SECRET_CATEGORIES, type SecretRule } from './rule.js';

const KEBAB = '^[a-z0-9]+(?:-[a-z0-9]+)*$';

const RuleSchema = Type.Object(
  {
    id: Type.String({ pattern: KEBAB }),
    category: Type.Optional(Type.Union(SECRET_CATEGORIES.map((c) => Type.Literal(c)))),
    title: Type.String({ minLength: 1 }),
    severity: Type.Union(RATED_SEVERITIES.map((s) => Type.Literal(s))),
    keywords: Type.Array(Type.String({ minLength: 1, pattern: '^[\\x20-\\x7e]+$' })),
    regex: Type.String({ minLength: 1 }),
    entropy: Type.Optional(Type.Number({ minimum: 0, maximum: 8 })),
    path: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

const AllowRuleSchema = Type.Object(
  {
    id: Type.String({ pattern: KEBAB }),
    description: Type.Optional(Type.String()),
    paths: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
    regexes: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
    rules: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
  },
  { additionalProperties: false },
);

/** The file format: kebab-case keys, as in docs/secrets.md. */
export const SecretConfigFileSchema = Type.Object(
  {
    'builtin-rules': Type.Optional(Type.Boolean()),
    'disable-rules': Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    'disable-categories': Type.Optional(Type.Array(Type.Union(SECRET_CATEGORIES.map((c) => Type.Literal(c))))),
    rules: Type.Optional(Type.Array(RuleSchema)),
    'allow-rules': Type.Optional(Type.Array(AllowRuleSchema)),
    'skip-paths': Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    'max-file-size': Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
export type SecretConfigFile = Static<typeof SecretConfigFileSchema>;

/**
 * A quantified group that itself contains an unbounded quantifier, such as
 * "(a+)+" or "(\w*x)*": the classic catastrophic-backtracking shape.
 */
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*(?:[+*]|\{\d+,\})(?:[^()\\]|\\.)*\)(?:[+*]|\{\d+,\d*\})/;

/**
 * A repeated group of alternatives, such as "(a|a)+" or "(a|ab)*": when two
 * alternatives can match the same text the engine tries every split of it, an
 * exponential number. Whether alternatives overlap is undecidable in general
 * for JavaScript regexes, so any repeated alternation is refused; a character
 * class ("[ab]+") or a bounded repetition says the same safely.
 */
const REPEATED_ALTERNATION = /\((?:[^()\\]|\\.)*\|(?:[^()\\]|\\.)*\)(?:[+*]|\{\d+,\d*\})/;

/**
 * Parse and validate a secrets config file (YAML; JSON is YAML too). Every
 * bad field is listed in one SECRETS_CONFIG_INVALID error, by its path.
 */
export function loadSecretConfig(text: string): SecretConfig {
  // Bounded before the YAML parser, which recurses (core/untrusted-data.ts).
  const deep = yamlNestingProblem(text);
  if (deep !== undefined) throw new CustomsError('SECRETS_CONFIG_INVALID', `secrets config: ${deep}`);
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const list = doc.errors.map(
      (e) => `line ${(e.linePos?.[0]?.line ?? 0).toString()}: ${e.message.split('\n')[0] ?? ''}`,
    );
    throw new CustomsError('SECRETS_CONFIG_INVALID', `secrets config is not valid YAML: ${list.join('; ')}`);
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
  const problems: string[] = [];
  for (const e of Value.Errors(SecretConfigFileSchema, raw)) {
    problems.push(`${e.path === '' ? '(top level)' : e.path.slice(1).replaceAll('/', '.')}: ${e.message}`);
  }
  if (problems.length > 0) throw invalid(problems);
  const file = raw as SecretConfigFile;

  const regex = (where: string, source: string, flags: string): RegExp | undefined => {
    if (NESTED_QUANTIFIER.test(source)) {
      problems.push(
        `${where}: nested quantifier can backtrack catastrophically; bound the inner or outer repetition ({m,n})`,
      );
      return undefined;
    }
    if (REPEATED_ALTERNATION.test(source)) {
      problems.push(
        `${where}: a repeated group of alternatives can backtrack catastrophically when they overlap; use a character class or repeat the group a bounded number of times`,
      );
      return undefined;
    }
    try {
      return new RegExp(source, flags);
    } catch (e) {
      problems.push(`${where}: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  };

  const rules: SecretRule[] = [];
  const ids = new Set<string>();
  (file.rules ?? []).forEach((r, i) => {
    if (ids.has(r.id)) problems.push(`rules.${i}.id: duplicate rule id "${r.id}"`);
    ids.add(r.id);
    const re = regex(`rules.${i}.regex`, r.regex, 'g');
    const path = r.path === undefined ? undefined : regex(`rules.${i}.path`, r.path, '');
    if (!re) return;
    rules.push({
      id: r.id,
      category: r.category ?? 'custom',
      title: r.title,
      severity: r.severity,
      keywords: r.keywords.map((k) => k.toLowerCase()),
      regex: re,
      ...(r.entropy === undefined ? {} : { entropy: r.entropy }),
      ...(path === undefined ? {} : { path }),
    });
  });
  const allowRules: SecretAllowRule[] = [];
  (file['allow-rules'] ?? []).forEach((a, i) => {
    if (!a.paths && !a.regexes && !a.rules)
      problems.push(`allow-rules.${i}: set at least one of paths, regexes, rules`);
    const paths = a.paths?.map((p, j) => regex(`allow-rules.${i}.paths.${j}`, p, ''));
    const regexes = a.regexes?.map((p, j) => regex(`allow-rules.${i}.regexes.${j}`, p, ''));
    allowRules.push({
      id: a.id,
      ...(a.description === undefined ? {} : { description: a.description }),
      ...(paths === undefined ? {} : { paths: paths.filter((p) => p !== undefined) }),
      ...(regexes === undefined ? {} : { regexes: regexes.filter((p) => p !== undefined) }),
      ...(a.rules === undefined ? {} : { rules: a.rules }),
    });
  });
  const skipPaths = (file['skip-paths'] ?? []).map((p, i) => regex(`skip-paths.${i}`, p, ''));
  if (problems.length > 0) throw invalid(problems);
  return {
    builtinRules: file['builtin-rules'] ?? true,
    disableRules: file['disable-rules'] ?? [],
    disableCategories: file['disable-categories'] ?? [],
    rules,
    allowRules,
    skipPaths: skipPaths.filter((p) => p !== undefined),
    maxFileSize: file['max-file-size'] ?? DEFAULT_MAX_SECRET_FILE_SIZE,
  };
}

function invalid(problems: readonly string[]): CustomsError {
  return new CustomsError(
    'SECRETS_CONFIG_INVALID',
    `secrets config has ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${problems.join('; ')}`,
  );
}
