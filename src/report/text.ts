/** Text helpers shared by the terminal reports (scan table and its sections). */
import type { ScanResult as ScanReportInput } from '../result/index.js';

/**
 * Text from the image or the feeds, made safe for a terminal: controls, escape
 * sequences, bidi overrides and invisible characters become "?" (core's
 * terminalText, the one list of what a terminal must not receive).
 */
export { terminalText as printable } from '../core/index.js';

/** "L3" for the image's third layer; "-" for a diffID not in the image; "" when there is none. */
export function layerLabel(r: ScanReportInput, diffID: string | undefined): string {
  if (diffID === undefined) return '';
  const i = r.inventory.target.layers.findIndex((l) => l.diffID === diffID);
  return i >= 0 ? `L${i + 1}` : '-';
}
