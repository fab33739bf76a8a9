import { scanJson } from './scan-json.js';
import { scanTable } from './scan-table.js';
import type { ScanWriter } from './types.js';

/** Every scan report writer, listed explicitly. New format = one writer file + one line. */
export const SCAN_WRITERS = [scanTable, scanJson] as const satisfies readonly ScanWriter[];
export type ScanFormat = (typeof SCAN_WRITERS)[number]['format'];
export const SCAN_FORMATS: readonly string[] = SCAN_WRITERS.map((w) => w.format);
