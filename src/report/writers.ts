import { renderCycloneDxVex } from './cdx-vex.js';
import { renderGitlab } from './gitlab.js';
import { scanHtml } from './html-report.js';
import { renderJunit } from './junit.js';
import { scanMarkdown } from './markdown-report.js';
import { renderSarif } from './sarif.js';
import { scanJson } from './scan-json.js';
import { scanTable } from './scan-table.js';
import type { ScanWriter } from './types.js';

/** Every scan report writer, listed explicitly. New format = one writer file + one line. */
export const SCAN_WRITERS = [
  scanTable,
  scanJson,
  { format: 'sarif', render: (r) => renderSarif(r) },
  { format: 'junit', render: (r) => renderJunit(r) },
  { format: 'gitlab', render: (r) => renderGitlab(r) },
  { format: 'cyclonedx', render: (r) => renderCycloneDxVex(r) },
  scanHtml,
  scanMarkdown,
] as const satisfies readonly ScanWriter[];
export type ScanFormat = (typeof SCAN_WRITERS)[number]['format'];
export const SCAN_FORMATS: readonly string[] = SCAN_WRITERS.map((w) => w.format);
