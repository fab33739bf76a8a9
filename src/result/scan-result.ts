/**
 * The scan result: what `customs scan` found in one image or SBOM. Every reader
 * (policy, report, engine, and the server, admission webhook and sensor above
 * them) imports this one type; docs/architecture.md "The result model" and
 * docs/adr/0006-result-model-and-engine.md say why it lives here, just above match/.
 */
import type { MalwareFinding, SecretFinding } from '../analyze/index.js';
import type { Misconfiguration } from '../checks/index.js';
import { CustomsError } from '../core/index.js';
import type { ImageConfig } from '../image/index.js';
import type { MatchNote, VulnFinding } from '../match/index.js';
import type { Inventory, LicenseReport } from '../sbom/index.js';

/** schemaVersion of ScanResult and of its JSON form (schema/scan-result-v1.json). */
export const SCAN_RESULT_SCHEMA_VERSION = 1;

/** What `customs scan` can look for; `--scanners` picks (default: all). */
export const SCANNERS = ['vuln', 'secret', 'misconfig', 'malware', 'license'] as const;
export type Scanner = (typeof SCANNERS)[number];

/** "vuln, secret" → ['vuln', 'secret']; an unknown name is a usage error naming the choices. */
export function parseScanners(text: string): Scanner[] {
  const out = new Set<Scanner>();
  for (const raw of text.split(',')) {
    const s = raw.trim();
    if (!s) continue;
    if (!(SCANNERS as readonly string[]).includes(s)) {
      throw new CustomsError('USAGE_BAD_FLAG', `--scanners: "${s}" is not a scanner; pick from ${SCANNERS.join(', ')}`);
    }
    out.add(s as Scanner);
  }
  if (out.size === 0)
    throw new CustomsError('USAGE_BAD_FLAG', `--scanners needs at least one of ${SCANNERS.join(', ')}`);
  return [...out];
}

/** Which DB answered: enough to tell whether an absent finding is news or stale data. */
export interface ScanDbInfo {
  readonly path: string;
  readonly schemaVersion: number;
  readonly builtAt: string;
  readonly sources: readonly { readonly name: string; readonly timestamp: string; readonly records: number }[];
}

export interface ScanResult {
  readonly schemaVersion: typeof SCAN_RESULT_SCHEMA_VERSION;
  readonly inventory: Inventory;
  /** Which scanners ran (a section of a scanner that did not run is absent, not empty). */
  readonly scanners: readonly string[];
  /** Sorted by severity (critical first), then package name, version, ID (match/compareFindings). */
  readonly vulnerabilities: readonly VulnFinding[];
  /** What could not be decided (no data for a release, invalid versions, skipped SBOM entries). */
  readonly notes: readonly MatchNote[];
  /** The vulnerability DB that answered; absent when the vuln scanner did not run. */
  readonly db?: ScanDbInfo;
  readonly secrets?: readonly SecretFinding[];
  readonly misconfigurations?: readonly Misconfiguration[];
  readonly malware?: readonly MalwareFinding[];
  readonly licenses?: LicenseReport;
  /** The image config, redacted: policies check User, Entrypoint, ports … (the saved JSON keeps those fields). */
  readonly config?: ImageConfig;
}
