export type * from './types.js';
export { RULE_ACTIONS, VERDICT_STATUSES } from './types.js';
export type { Policy, PolicyRule, PolicyException } from './policy-model.js';
export type { PolicyScanInput, EvaluateOptions } from './input.js';
export { loadPolicies } from './load-policies.js';
export { evaluatePolicy } from './evaluate-policy.js';
export { loadVex, VEX_STATUSES, type VexDocument, type VexStatement, type VexStatus } from './vex.js';
export {
  PolicyFileSchema,
  policyJsonSchema,
  POLICY_API_VERSION,
  POLICY_SCHEMA_ID,
  RULE_KINDS,
  type PolicyFile,
  type RuleKind,
} from './schema.js';
export { type UpgradeTarget, upgradeTargets } from './remediation.js';
export { malwareRefId, misconfigRefId, secretRefId, vulnRefId } from './finding-ids.js';
