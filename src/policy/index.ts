export type * from './types.js';
export { RULE_ACTIONS, VERDICT_STATUSES } from './types.js';
export type { Policy, PolicyRule, PolicyException } from './policy-model.js';
export type { EvaluateOptions } from './input.js';
export { expiryInstant, loadPolicies } from './load-policies.js';
export { evaluatePolicy } from './evaluate-policy.js';
export { loadVex, VEX_STATUSES, type VexDocument, type VexStatement, type VexStatus } from './vex.js';
export {
  PolicyFileSchema,
  policyJsonSchema,
  POLICY_API_VERSION,
  POLICY_SCHEMA_ID,
  RULE_KINDS,
  UNKNOWN_ACTIONS,
  type UnknownAction,
  type PolicyFile,
  type RuleKind,
} from './schema.js';
export { type UpgradeTarget, upgradeTargets } from './remediation.js';
export { type IgnoreEntry, isIgnoreExpired, parseIgnoreFile } from './ignorefile.js';
export {
  ANY_FINDING_RULE,
  applySuppressions,
  COMMAND_LINE,
  FAIL_ON_RULE,
  filterResult,
  type GateOutcome,
  type GateRules,
  judge,
  PACKAGE_DATABASE_RULE,
  packageDatabaseOutcomes,
  parseFailOn,
} from './judge.js';
export type { SuppressionOutcome, SuppressionSources } from './suppress.js';
export { type FilteredScan, filterScan, type ScanFilters } from './scan-filters.js';
