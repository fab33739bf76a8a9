/**
 * What the policy reads of a scan. report/ (layer 6) names the full shape,
 * ScanReportInput; policy/ sits below it, so it names the part it reads, and
 * ScanReportInput / engine's ScanResult are assignable to it.
 */
import type { MalwareFact, SecretFact } from '../analyze/index.js';
import type { Misconfiguration } from '../checks/index.js';
import type { ImageConfig } from '../image/index.js';
import type { VulnFinding } from '../match/index.js';
import type { Inventory, LicenseReport } from '../sbom/index.js';
import type { VexDocument } from './vex.js';

export interface PolicyScanInput {
  readonly inventory: Inventory;
  readonly vulnerabilities: readonly VulnFinding[];
  readonly scanners?: readonly string[];
  readonly secrets?: readonly (SecretFact & {
    readonly location: string;
    readonly path?: string;
    readonly layer?: string;
  })[];
  readonly misconfigurations?: readonly Misconfiguration[];
  readonly malware?: readonly (MalwareFact & { readonly path: string; readonly layer: string })[];
  readonly licenses?: LicenseReport;
}

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
  readonly ref: { readonly kind: string; readonly id: string; readonly summary: string };
  /** Advisory / check / rule ids (a vulnerability's id and aliases). */
  readonly advisories: readonly string[];
  readonly packages: readonly { readonly name: string; readonly version: string; readonly purl: string }[];
  readonly paths: readonly string[];
  /** Set for vulnerability hits (VEX and remediation read it). */
  readonly vuln?: VulnFinding;
}

/** What every rule evaluator is given. */
export interface RuleContext {
  readonly input: PolicyScanInput;
  readonly now: Date;
  readonly config?: ImageConfig;
  /** diffID of the base layer: the first layer, when the image has more than one (docs/checks.md). */
  readonly baseLayer?: string;
  /** Things a rule could not decide, for Verdict.notes. */
  note(message: string): void;
}
