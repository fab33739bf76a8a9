/**
 * The policy gate's result model (contract shared by policy/, report/ and the
 * `customs gate` command). A failed gate is a Verdict, not an error.
 */
import type { FindingRef } from '../result/index.js';

export const VERDICT_STATUSES = ['pass', 'warn', 'fail'] as const;
export type VerdictStatus = (typeof VERDICT_STATUSES)[number];

export const RULE_ACTIONS = ['fail', 'warn'] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];

/** A reference to one finding of a ScanResult (or of a config scan): the result model's (src/result). */
export type { FindingRef } from '../result/index.js';

/** A rule that failed or warned, with the findings that triggered it. */
export interface RuleOutcome {
  /** The rule's id as written in the policy (or generated: "vulnerabilities[0]"). */
  readonly ruleId: string;
  readonly action: RuleAction;
  /** The policy author's message. */
  readonly message: string;
  /** Which policy file the rule came from. */
  readonly source: string;
  readonly findings: readonly FindingRef[];
}

/** A finding an exception or VEX statement suppressed: still shown, with why. */
export interface Suppression {
  readonly finding: FindingRef;
  /** exception | vex */
  readonly by: string;
  readonly reason: string;
  readonly owner?: string;
  readonly expires?: string;
  /** VEX status/justification when `by` is "vex". */
  readonly vex?: { readonly status: string; readonly justification?: string; readonly document: string };
}

/** An exception past its expiry: it no longer applies, and the report says so. */
export interface ExpiredException {
  readonly id: string;
  readonly reason: string;
  readonly owner?: string;
  readonly expired: string;
  readonly source: string;
}

/** Upgrades that would clear the failing rules (smallest set found). */
export interface Remediation {
  readonly package: string;
  readonly from: string;
  readonly to: string;
  /** "upgrade" | "rebuild-base" (the finding comes from base layers) */
  readonly how: string;
  readonly clears: readonly string[];
}

export interface Verdict {
  readonly status: VerdictStatus;
  /** Every rule that failed or warned. */
  readonly rules: readonly RuleOutcome[];
  readonly suppressed: readonly Suppression[];
  readonly expiredExceptions: readonly ExpiredException[];
  readonly remediation: readonly Remediation[];
  /** Policy files in merge order. */
  readonly policies: readonly string[];
  /** What a rule could not decide (no image config for an EXPOSE rule, undated fixes …); absent when nothing. */
  readonly notes?: readonly string[];
}
