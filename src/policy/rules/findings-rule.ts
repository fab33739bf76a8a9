import { isAtLeast } from '../../core/index.js';
import { findingRef, findingsOf, type FindingKindName } from '../../result/index.js';
import type { Hit, RuleContext } from '../input.js';
import type { FindingsSpec } from '../schema.js';

/**
 * `secrets: {}`, `misconfigurations: {}`, `malware: {}`: fail on any finding of the kind;
 * minSeverity and ids (rule or check IDs) narrow it.
 */
export function findingHits(kind: FindingKindName, spec: FindingsSpec, ctx: RuleContext): Hit[] {
  return findingsOf(ctx.input)
    .filter((f) => f.kind === kind)
    .filter((f) => spec.minSeverity === undefined || isAtLeast(f.severity, spec.minSeverity))
    .filter((f) => spec.ids === undefined || spec.ids.includes(f.ruleId))
    .map((f) => ({ ref: findingRef(f, 'ruleSummary'), advisories: [f.ruleId], packages: [], paths: f.paths }));
}
