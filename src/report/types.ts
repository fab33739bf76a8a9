import type { Verdict } from '../policy/index.js';
import type { ScanResult } from '../result/index.js';

export interface RenderOptions {
  /** Line width for the table (default 120). */
  readonly width?: number;
  /** ANSI colour (on a TTY). */
  readonly color?: boolean;
  /** The gate's verdict (`customs gate`): writers add it and mark suppressed findings. */
  readonly verdict?: Verdict;
  /** The Dockerfile the image was built from, and the line of its (last) FROM (SARIF/GitLab locations). */
  readonly dockerfile?: { readonly path: string; readonly fromLine?: number };
}

/** A report writer: a plain object listed in SCAN_WRITERS, like analyzers and matchers. */
export interface ScanWriter {
  readonly format: string;
  /** The finding kinds the format can carry, when it is about some only (GitLab container scanning, CycloneDX VEX: vulnerabilities). */
  readonly kinds?: readonly string[];
  render(result: ScanResult, opts: RenderOptions): string;
}
