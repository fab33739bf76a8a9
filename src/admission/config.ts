/**
 * admission.yaml: the rules of `customs admit` (docs/admission.md "Config
 * format"). Parsed once at its boundary with one TypeBox schema; every bad
 * field is listed in one ADMISSION_CONFIG_INVALID error.
 */
import { createHash } from 'node:crypto';
import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { parse as parseYaml } from 'yaml';
import { CustomsError } from '../core/index.js';
import type { LabelSelector } from './selector.js';

export const MODES = ['enforce', 'warn', 'audit'] as const;
export type Mode = (typeof MODES)[number];

/** What the webhook does when a rule cannot decide (registry, store or verifier unreachable). */
export const FAILURE_POLICIES = ['Fail', 'Ignore'] as const;
export type FailurePolicy = (typeof FAILURE_POLICIES)[number];

/** What an image without a stored verdict gets. */
export const COLD_PATHS = ['deny', 'allow-and-queue', 'scan-inline'] as const;
export type ColdPath = (typeof COLD_PATHS)[number];

const Requirement = Type.Object(
  {
    key: Type.String({ minLength: 1 }),
    operator: Type.Union([
      Type.Literal('In'),
      Type.Literal('NotIn'),
      Type.Literal('Exists'),
      Type.Literal('DoesNotExist'),
    ]),
    values: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);

const Selector = Type.Object(
  {
    matchLabels: Type.Optional(Type.Record(Type.String(), Type.String())),
    matchExpressions: Type.Optional(Type.Array(Requirement)),
  },
  { additionalProperties: false },
);

const Rule = Type.Object(
  {
    name: Type.String({ minLength: 1, pattern: '^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$' }),
    /** Absent: every namespace. `{}` also selects every namespace (Kubernetes semantics). */
    namespaceSelector: Type.Optional(Selector),
    mode: Type.Union(MODES.map((m) => Type.Literal(m))),
    /** Registries or repositories images may come from: `ghcr.io/org`, `registry.example.com`; a prefix at a `/` boundary. */
    registries: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    /** Every image must be resolvable to a digest (tags are resolved with a registry HEAD). */
    requireDigest: Type.Optional(Type.Boolean()),
    /** /mutate rewrites the images this rule selects to `name:tag@digest`. */
    pinDigests: Type.Optional(Type.Boolean()),
    /** The trust policy (top-level trustPolicy) must verify every image. */
    trust: Type.Optional(Type.Boolean()),
    /** Every image must have a passing verdict (store or server). */
    verdict: Type.Optional(
      Type.Object(
        {
          /** Also admit images whose verdict is "warn" (default true). */
          allowWarn: Type.Optional(Type.Boolean()),
          coldPath: Type.Optional(Type.Union(COLD_PATHS.map((c) => Type.Literal(c)))),
          /** scan-inline: how long to wait for the scan; must be below the webhook timeout. */
          inlineDeadlineMs: Type.Optional(Type.Integer({ minimum: 100 })),
        },
        { additionalProperties: false },
      ),
    ),
    /** Pod Security Standards profile. */
    pss: Type.Optional(Type.Union([Type.Literal('baseline'), Type.Literal('restricted')])),
    /** Other Kubernetes checks by id (docs/checks.md), e.g. CUS-K8S-030. */
    checks: Type.Optional(Type.Array(Type.String({ pattern: '^CUS-K8S-\\d{3}$' }))),
  },
  { additionalProperties: false },
);

const Exemption = Type.Object(
  {
    /** Who answers for it. */
    owner: Type.String({ minLength: 1 }),
    /** YYYY-MM-DD (end of that day, UTC) or an RFC 3339 time. */
    expires: Type.String({ minLength: 10 }),
    reason: Type.Optional(Type.String()),
    /** Rule names it exempts from; absent: every rule. */
    rules: Type.Optional(Type.Array(Type.String())),
    namespaces: Type.Optional(Type.Array(Type.String())),
    /** Image patterns; `*` matches any run of characters. */
    images: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);

const ConfigSchema = Type.Object(
  {
    apiVersion: Type.Optional(Type.Literal('customs.dev/v1')),
    kind: Type.Optional(Type.Literal('AdmissionConfig')),
    failurePolicy: Type.Optional(Type.Union(FAILURE_POLICIES.map((f) => Type.Literal(f)))),
    /** The API server's webhook timeout; inline scans must finish well inside it. */
    timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 })),
    /** Labels of namespaces, by name: the AdmissionReview names the namespace but carries none of its labels. */
    namespaceLabels: Type.Optional(Type.Record(Type.String(), Type.Record(Type.String(), Type.String()))),
    /** Trust policy file (customs verify's format), for rules with trust: true. */
    trustPolicy: Type.Optional(Type.String({ minLength: 1 })),
    /** How long a tag → digest resolution is reused (tags move). */
    tagTtlSeconds: Type.Optional(Type.Integer({ minimum: 0 })),
    rules: Type.Array(Rule),
    exemptions: Type.Optional(Type.Array(Exemption)),
  },
  { additionalProperties: false },
);

export type RuleSpec = Static<typeof Rule>;
export type ExemptionSpec = Static<typeof Exemption>;
type ConfigDoc = Static<typeof ConfigSchema>;

export interface Exemption extends ExemptionSpec {
  /** ms since the epoch after which it no longer applies. */
  readonly expiresAt: number;
}

export interface AdmissionConfig {
  readonly failurePolicy: FailurePolicy;
  readonly timeoutSeconds: number;
  readonly namespaceLabels: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly trustPolicy?: string;
  readonly tagTtlMs: number;
  readonly rules: readonly (RuleSpec & { readonly namespaceSelector?: LabelSelector })[];
  readonly exemptions: readonly Exemption[];
  /** Hash of the rules as loaded: part of every cached decision's key. */
  readonly version: string;
}

const check = TypeCompiler.Compile(ConfigSchema);

/** What PSA's namespace defaults give users: enforce baseline, warn on restricted, allow everything else. */
export const DEFAULT_RULES: readonly RuleSpec[] = [
  { name: 'pss-baseline', mode: 'enforce', pss: 'baseline' },
  { name: 'pss-restricted', mode: 'warn', pss: 'restricted' },
];

function expiry(text: string, where: string, problems: string[]): number {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const t = Date.parse(day ? `${text}T23:59:59.999Z` : text);
  if (Number.isNaN(t)) problems.push(`${where}.expires: "${text}" is not a date (YYYY-MM-DD or RFC 3339)`);
  return t;
}

/** Build the config from its document (already parsed); `source` names it in messages. */
export function admissionConfigOf(doc: unknown, source: string): AdmissionConfig {
  if (!check.Check(doc)) {
    const problems = [...check.Errors(doc)].slice(0, 20).map((e) => `${e.path || '/'}: ${e.message}`);
    throw new CustomsError('ADMISSION_CONFIG_INVALID', `${source}: ${problems.join('; ')}`);
  }
  const d = doc as ConfigDoc;
  const problems: string[] = [];
  const names = new Set<string>();
  const timeoutSeconds = d.timeoutSeconds ?? 10;
  d.rules.forEach((r, i) => {
    if (names.has(r.name)) problems.push(`/rules/${i}/name: "${r.name}" is used twice`);
    names.add(r.name);
    if (r.trust && d.trustPolicy === undefined) problems.push(`/rules/${i}/trust: needs a top-level trustPolicy file`);
    const deadline = r.verdict?.inlineDeadlineMs;
    // The API server gives up at timeoutSeconds; an inline scan must answer before, with room for the reply.
    if (deadline !== undefined && deadline > timeoutSeconds * 1000 - 500)
      problems.push(
        `/rules/${i}/verdict/inlineDeadlineMs: ${deadline} ms is not shorter than the webhook timeout (${timeoutSeconds} s) minus 500 ms`,
      );
    for (const e of r.namespaceSelector?.matchExpressions ?? []) {
      const needsValues = e.operator === 'In' || e.operator === 'NotIn';
      if (needsValues && (e.values ?? []).length === 0)
        problems.push(`/rules/${i}/namespaceSelector: ${e.operator} on "${e.key}" needs values`);
      if (!needsValues && (e.values ?? []).length > 0)
        problems.push(`/rules/${i}/namespaceSelector: ${e.operator} on "${e.key}" takes no values`);
    }
  });
  const exemptions = (d.exemptions ?? []).map((e, i) => {
    for (const r of e.rules ?? []) if (!names.has(r)) problems.push(`/exemptions/${i}/rules: no rule is named "${r}"`);
    return { ...e, expiresAt: expiry(e.expires, `/exemptions/${i}`, problems) };
  });
  if (problems.length > 0) throw new CustomsError('ADMISSION_CONFIG_INVALID', `${source}: ${problems.join('; ')}`);
  return {
    failurePolicy: d.failurePolicy ?? 'Fail',
    timeoutSeconds,
    namespaceLabels: d.namespaceLabels ?? {},
    ...(d.trustPolicy !== undefined ? { trustPolicy: d.trustPolicy } : {}),
    tagTtlMs: (d.tagTtlSeconds ?? 60) * 1000,
    rules: d.rules,
    exemptions,
    version: createHash('sha256').update(JSON.stringify(d)).digest('hex').slice(0, 16),
  };
}

/** Parse admission.yaml text. */
export function parseAdmissionConfig(text: string, source: string): AdmissionConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new CustomsError('ADMISSION_CONFIG_INVALID', `${source} is not valid YAML: ${(e as Error).message}`, e);
  }
  return admissionConfigOf(doc, source);
}

/** The configuration without a file. */
export function defaultAdmissionConfig(): AdmissionConfig {
  return admissionConfigOf({ rules: DEFAULT_RULES }, '(default rules)');
}
