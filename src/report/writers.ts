import { renderCycloneDxVex } from './cdx-vex.js';
import type { MachineReportOptions } from './finding-refs.js';
import { renderGitlab } from './gitlab.js';
import { renderHtml } from './html-report.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown-report.js';
import { renderSarif } from './sarif.js';
import { renderGateJson, renderScanJson } from './scan-json.js';
import { renderScanTable } from './scan-table.js';
import type { RenderOptions, ScanWriter } from './types.js';
import { renderVerdictText } from './verdict-text.js';

const machine = (o: RenderOptions): MachineReportOptions => ({
  ...(o.verdict ? { verdict: o.verdict } : {}),
  ...(o.dockerfile ? { dockerfile: o.dockerfile } : {}),
});
const withVerdict = (o: RenderOptions) => (o.verdict ? { verdict: o.verdict } : {});

/**
 * Every report writer, listed explicitly; `customs scan` and `customs gate` take their
 * --format choices from this list. New format = one writer file + one line.
 */
export const SCAN_WRITERS = [
  {
    format: 'table',
    render: (r, o) => renderScanTable(r, o) + (o.verdict ? renderVerdictText(o.verdict, o.color === true) : ''),
  },
  { format: 'json', render: (r, o) => (o.verdict ? renderGateJson(r, o.verdict) : renderScanJson(r)) },
  { format: 'sarif', render: (r, o) => renderSarif(r, machine(o)) },
  { format: 'junit', render: (r, o) => renderJunit(r, machine(o)) },
  { format: 'gitlab', kinds: ['vuln'], render: (r, o) => renderGitlab(r, machine(o)) },
  { format: 'cyclonedx', kinds: ['vuln'], render: (r, o) => renderCycloneDxVex(r, machine(o)) },
  { format: 'html', render: (r, o) => renderHtml(r, withVerdict(o)) },
  { format: 'markdown', render: (r, o) => renderMarkdown(r, withVerdict(o)) },
] as const satisfies readonly ScanWriter[];
export type ScanFormat = (typeof SCAN_WRITERS)[number]['format'];
export const SCAN_FORMATS: readonly ScanFormat[] = SCAN_WRITERS.map((w) => w.format);

/** The writer of a format. */
export function writerFor(format: ScanFormat): ScanWriter {
  return SCAN_WRITERS.find((w) => w.format === format) ?? SCAN_WRITERS[0];
}
