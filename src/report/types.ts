import type { MalwareFact, SecretFact } from '../analyze/index.js';
import type { Misconfiguration } from '../checks/index.js';
import type { MatchNote, VulnFinding } from '../match/index.js';
import type { Inventory, LicenseReport } from '../sbom/index.js';

/** A secret in the image: in a layer's file (possibly deleted later), or in the config/history. */
export interface SecretFinding extends SecretFact {
  /** The file (no leading "/"), or where in the config: "config Env[3]", "history[5] created_by". */
  readonly location: string;
  /** The file's path, when the secret is in a file. */
  readonly path?: string;
  /** diffID of the layer that holds the file. */
  readonly layer?: string;
  /** diffID of the later layer that deleted or replaced the file: hidden, but it still ships. */
  readonly hiddenByLayer?: string;
}

export interface MalwareFinding extends MalwareFact {
  readonly path: string;
  readonly layer: string;
  readonly hiddenByLayer?: string;
}

/**
 * What the scan writers read. engine's ScanResult is one (report/ sits below
 * engine/, so it names the shape, not the type).
 */
export interface ScanReportInput {
  readonly schemaVersion: number;
  readonly inventory: Inventory;
  readonly vulnerabilities: readonly VulnFinding[];
  readonly notes: readonly MatchNote[];
  /** Which scanners ran; a section of a scanner that did not run is absent. */
  readonly scanners: readonly string[];
  readonly db?: {
    readonly path: string;
    readonly schemaVersion: number;
    readonly builtAt: string;
    readonly sources: readonly { readonly name: string; readonly timestamp: string; readonly records: number }[];
  };
  readonly secrets?: readonly SecretFinding[];
  readonly misconfigurations?: readonly Misconfiguration[];
  readonly malware?: readonly MalwareFinding[];
  readonly licenses?: LicenseReport;
}

export interface RenderOptions {
  /** Line width for the table (default 120). */
  readonly width?: number;
  /** ANSI colour (on a TTY). */
  readonly color?: boolean;
}

/** A report writer: a plain object listed in REPORT_WRITERS, like analyzers and matchers. */
export interface ScanWriter {
  readonly format: string;
  render(result: ScanReportInput, opts: RenderOptions): string;
}
