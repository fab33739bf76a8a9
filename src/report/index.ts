export type * from './types.js';
export { SCAN_WRITERS, SCAN_FORMATS } from './writers.js';
export { renderScanTable, scanTable } from './scan-table.js';
export { renderScanJson, scanJson } from './scan-json.js';
export { ScanJsonSchema, ScanFindingSchema, scanJsonSchema } from './scan-json-schema.js';
export { countBySeverity, type SeverityCounts } from './summary.js';
export { type ConfigReportInput, renderConfigJson, renderConfigTable } from './config-report.js';
export { type HtmlOptions, HTML_CSP, renderHtml } from './html-report.js';
export { renderSarif } from './sarif.js';
