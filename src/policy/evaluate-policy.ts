import { compareStrings } from '../core/index.js';
import type { VulnFinding } from '../match/index.js';
import { imageNames } from './exceptions.js';
import type { ScanResult } from '../result/index.js';
import type { EvaluateOptions, Hit, RuleContext } from './input.js';
import type { Policy, PolicyRule } from './policy-model.js';
import { remediate } from './remediation.js';
import { exceptionFor, exceptionSuppression, sortSuppressions, suppressFindings, vexSuppression } from './suppress.js';
import { celHits } from './rules/cel-rule.js';
import { findingHits } from './rules/findings-rule.js';
import { imageHits } from './rules/image-rule.js';
import { packageHits } from './rules/packages-rule.js';
import { vulnerabilityHits } from './rules/vulnerabilities-rule.js';
import type { ExpiredException, FindingRef, RuleOutcome, Suppression, Verdict } from './types.js';

function hitsOf(rule: PolicyRule, ctx: RuleContext): Hit[] {
  const s = rule.spec;
  if (s.vulnerabilities !== undefined) return vulnerabilityHits(s.vulnerabilities, ctx);
  if (s.image !== undefined) return imageHits(s.image, ctx);
  if (s.packages !== undefined) return packageHits(s.packages, ctx);
  if (s.secrets !== undefined) return findingHits('secret', s.secrets, ctx);
  if (s.misconfigurations !== undefined) return findingHits('misconfig', s.misconfigurations, ctx);
  if (s.malware !== undefined) return findingHits('malware', s.malware, ctx);
  if (s.cel !== undefined) return celHits(s.id, s.message, typeof s.cel === 'string' ? s.cel : s.cel.expression, ctx);
  return [];
}

/**
 * Judges a scan against a loaded policy. Deterministic: same scan, policy,
 * VEX and `now`, same Verdict. Exceptions and VEX statements (not_affected /
 * fixed) first take the findings they cover out of the result (suppress.ts);
 * then every rule, in policy order, judges what is left, its own hits checked
 * against the exceptions scoped to it; what is left makes the rule fail or warn. Status: fail if a fail rule has
 * findings, warn if only warn rules do, else pass.
 */
export function evaluatePolicy(result: ScanResult, policy: Policy, opts: EvaluateOptions): Verdict {
  const layers = result.inventory.target.layers;
  // docs/checks.md: the first layer counts as the base when there are others.
  const baseLayer = layers.length > 1 ? layers[0]?.diffID : undefined;
  const notes = new Set<string>();
  const now = opts.now.getTime();
  const expiredExceptions: ExpiredException[] = policy.exceptions
    .filter((e) => e.expiresAt.getTime() <= now)
    .map((e) => ({ id: e.id, reason: e.spec.reason, owner: e.spec.owner, expired: e.spec.expires, source: e.source }));
  const vex = opts.vex ?? [];
  // Exceptions and VEX take findings out before any rule reads them (suppress.ts); what
  // is left for them here is what only a rule can decide: exceptions scoped to rules, and
  // hits that are not findings (package, image and CEL rules).
  const pre = suppressFindings(result, { exceptions: policy.exceptions, vex }, opts.now);
  const ctx: RuleContext = {
    input: pre.result,
    now: opts.now,
    ...(opts.config !== undefined ? { config: opts.config } : {}),
    ...(baseLayer !== undefined ? { baseLayer } : {}),
    note: (m) => notes.add(m),
  };
  const images = imageNames(result.inventory);

  const rules: RuleOutcome[] = [];
  const suppressed = new Map<string, Suppression>();
  for (const s of pre.suppressed) suppressed.set(`${s.finding.kind}\0${s.finding.id}\0${s.by}\0`, s);
  const failingVulns: VulnFinding[] = [];
  const warningVulns: VulnFinding[] = [];
  for (const rule of policy.rules) {
    const kept = new Map<string, { ref: FindingRef; vuln?: VulnFinding }>();
    for (const hit of hitsOf(rule, ctx)) {
      const ex = exceptionFor(policy.exceptions, hit, rule.spec.id, images, opts.now);
      if (ex !== undefined) {
        suppressed.set(`${hit.ref.kind}\0${hit.ref.id}\0exception\0${ex.id}`, exceptionSuppression(ex, hit));
        continue;
      }
      const v = vexSuppression(hit, vex, images);
      if (v !== undefined) {
        suppressed.set(`${hit.ref.kind}\0${hit.ref.id}\0vex\0${v.vex?.document ?? ''}`, v);
        continue;
      }
      if (!kept.has(hit.ref.id))
        kept.set(hit.ref.id, { ref: hit.ref, ...(hit.vuln !== undefined ? { vuln: hit.vuln } : {}) });
    }
    if (kept.size === 0) continue;
    const findings = [...kept.values()].sort(
      (a, b) => compareStrings(a.ref.kind, b.ref.kind) || compareStrings(a.ref.id, b.ref.id),
    );
    rules.push({
      ruleId: rule.spec.id,
      action: rule.spec.action,
      message: rule.spec.message,
      source: rule.source,
      findings: findings.map((f) => f.ref),
    });
    for (const f of findings)
      if (f.vuln !== undefined) (rule.spec.action === 'fail' ? failingVulns : warningVulns).push(f.vuln);
  }
  const status = rules.some((r) => r.action === 'fail') ? 'fail' : rules.length > 0 ? 'warn' : 'pass';
  // Remediation clears the failing rules; with only warnings, the warning ones.
  const remediation = remediate(status === 'fail' ? failingVulns : warningVulns, baseLayer);
  return {
    status,
    rules,
    suppressed: sortSuppressions([...suppressed.values()]),
    expiredExceptions,
    remediation,
    policies: policy.files,
    ...(notes.size > 0 ? { notes: [...notes].sort() } : {}),
  };
}
