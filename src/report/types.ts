import type { MatchNote, VulnFinding } from '../match/index.js';
import type { Inventory } from '../sbom/index.js';

/**
 * What the scan writers read. engine's ScanResult is one (report/ sits below
 * engine/, so it names the shape, not the type).
 */
export interface ScanReportInput {
  readonly schemaVersion: number;
  readonly inventory: Inventory;
  readonly vulnerabilities: readonly VulnFinding[];
  readonly notes: readonly MatchNote[];
  readonly db: {
    readonly path: string;
    readonly schemaVersion: number;
    readonly builtAt: string;
    readonly sources: readonly { readonly name: string; readonly timestamp: string; readonly records: number }[];
  };
  readonly secrets?: readonly unknown[];
  readonly misconfigurations?: readonly unknown[];
  readonly malware?: readonly unknown[];
  readonly licenses?: readonly unknown[];
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
