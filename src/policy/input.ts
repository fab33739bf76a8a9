/** What the policy stage is given besides the scan result (src/result), and what its rules see. */
import type { ImageConfig } from '../image/index.js';
import type { VulnFinding } from '../match/index.js';
import type { FindingRef, ScanResult } from '../result/index.js';
import type { VexDocument } from './vex.js';

export interface EvaluateOptions {
  /** The clock: exception expiry, image age, days since a fix. */
  readonly now: Date;
  /** VEX documents (loadVex); not_affected / fixed statements suppress findings. */
  readonly vex?: readonly VexDocument[];
  /**
   * The image config, when the caller has it: USER, HEALTHCHECK, ENTRYPOINT and
   * EXPOSE rules read it. Without it, requireNonRootUser / requireHealthcheck
   * fall back to the CUS-IMG-001 / CUS-IMG-002 findings, and the other
   * config rules report that they could not decide (Verdict.notes).
   */
  readonly config?: ImageConfig;
}

/** One finding a rule matched, with what exceptions match against. */
export interface Hit {
  readonly ref: FindingRef;
  /** Advisory / check / rule ids (a vulnerability's id and aliases). */
  readonly advisories: readonly string[];
  readonly packages: readonly { readonly name: string; readonly version: string; readonly purl: string }[];
  readonly paths: readonly string[];
  /** Set for vulnerability hits (VEX and remediation read it). */
  readonly vuln?: VulnFinding;
}

/** What every rule evaluator is given. */
export interface RuleContext {
  readonly input: ScanResult;
  readonly now: Date;
  readonly config?: ImageConfig;
  /** diffID of the base layer: the first layer, when the image has more than one (docs/checks.md). */
  readonly baseLayer?: string;
  /** Things a rule could not decide, for Verdict.notes. */
  note(message: string): void;
}
