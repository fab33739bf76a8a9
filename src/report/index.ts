export type * from './types.js';
export { SCAN_WRITERS, SCAN_FORMATS, type ScanFormat, writerFor } from './writers.js';
export { renderVerdictText } from './verdict-text.js';
export { renderScanTable, scanTable } from './scan-table.js';
export { renderGateJson, renderScanJson, scanJson, vulnerabilityJson } from './scan-json.js';
export { ScanJsonSchema, ScanFindingSchema, scanJsonSchema } from './scan-json-schema.js';
export { countBySeverity, type SeverityCounts } from './summary.js';
export { type ConfigReportInput, renderConfigJson, renderConfigTable } from './config-report.js';
export { type HtmlOptions, HTML_CSP, renderHtml, scanHtml } from './html-report.js';
export { renderSarif } from './sarif.js';
export { renderCycloneDxVex } from './cdx-vex.js';
export { type MarkdownOptions, renderMarkdown, scanMarkdown } from './markdown-report.js';
export { renderJunit } from './junit.js';
export { GITLAB_SCHEMA_VERSION, renderGitlab } from './gitlab.js';
export { isScanResultJson, parseScanResultJson, readSavedScan, SAVED_DB_PATH } from './scan-json-read.js';
export {
  BENCH_FORMATS,
  type BenchFormat,
  benchAsResult,
  renderBench,
  renderBenchJson,
  renderBenchJunit,
  renderBenchTable,
} from './bench-report.js';
export {
  type ComplianceControl,
  type ComplianceInput,
  type ComplianceReport,
  type ComplianceStatus,
  complianceReport,
  FRAMEWORKS,
  type Framework,
  NIST_800_190,
} from './compliance.js';
export {
  COMPLIANCE_FORMATS,
  COMPLIANCE_HTML_CSP,
  type ComplianceFormat,
  parseComplianceInput,
  renderCompliance,
} from './compliance-render.js';
