/**
 * The human report of `customs scan`: a header (target, OS, DB age), one row per
 * finding sorted by severity then package (the order of ScanResult), a summary
 * line and the notes. Columns: SEVERITY ID PACKAGE INSTALLED FIXED STATUS LAYER;
 * when the line is too narrow, PACKAGE, INSTALLED and FIXED shrink (cut with "…")
 * before ID; SEVERITY, STATUS and LAYER keep their width (60 columns at least). Text from the image or the feeds is made
 * printable (terminal escapes in a hostile package name are shown as "?").
 */
import type { VulnFinding } from '../match/index.js';
import { SEVERITIES } from '../vulndb/index.js';
import { licenseSection, malwareSection, misconfigSection, secretSection } from './scan-sections.js';
import { countBySeverity } from './summary.js';
import type { RenderOptions, ScanReportInput, ScanWriter } from './types.js';

const HEADERS = ['SEVERITY', 'ID', 'PACKAGE', 'INSTALLED', 'FIXED', 'STATUS', 'LAYER'] as const;
/** [column, floor] steps in order: what gives up width first. */
const SHRINK: readonly (readonly [number, number])[] = [
  [4, 14],
  [2, 18],
  [3, 14],
  [1, 16],
  [4, 5],
  [2, 6],
  [3, 5],
  [1, 10],
];
const GAP = '  ';
const COLOURS: Readonly<Record<string, string>> = { critical: '\u001b[1;31m', high: '\u001b[31m', medium: '\u001b[33m', low: '\u001b[36m', unknown: '\u001b[2m' };

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is being replaced
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const printable = (s: string): string => s.replace(CONTROL, '?');
const chars = (s: string): number => [...s].length;

function clip(s: string, w: number): string {
  const cs = [...s];
  return cs.length <= w ? s : `${cs.slice(0, Math.max(0, w - 1)).join('')}…`;
}

function fit(natural: number[], width: number): number[] {
  const w = [...natural];
  const total = (): number => w.reduce((a, b) => a + b, 0) + GAP.length * (w.length - 1);
  for (const [col, floor] of SHRINK) {
    const cur = w[col] ?? 0;
    if (total() <= width) break;
    w[col] = Math.max(floor, cur - (total() - width));
  }
  return w;
}

function layerLabel(result: ScanReportInput, diffID: string): string {
  const i = result.inventory.target.layers.findIndex((l) => l.diffID === diffID);
  return i >= 0 ? `L${i + 1}` : '-';
}

function row(f: VulnFinding, result: ScanReportInput): string[] {
  return [
    f.severity.toUpperCase(),
    f.id,
    f.package.name,
    f.installedVersion,
    f.fixedVersions.join(', ') || '-',
    f.state,
    layerLabel(result, f.layer),
  ].map(printable);
}

export function renderScanTable(result: ScanReportInput, opts: RenderOptions = {}): string {
  const width = Math.max(60, Math.floor(opts.width ?? 120));
  const colour = opts.color === true;
  const bold = (s: string): string => (colour ? `\u001b[1m${s}\u001b[0m` : s);
  const inv = result.inventory;
  const out: string[] = [];
  out.push(`${bold('Target:')}   ${clip(printable(inv.target.name), width - 11)}`);
  out.push(`${bold('OS:')}       ${inv.os ? clip(printable(`${inv.os.name || inv.os.family} [${inv.os.family} ${inv.os.version}]`), width - 11) : 'unknown'}`);
  out.push(`${bold('Packages:')} ${inv.packages.length}`);
  if (result.db) out.push(`${bold('DB:')}       built ${result.db.builtAt || 'unknown'}`);
  out.push('');
  const findings = result.vulnerabilities;
  const vulnRan = result.scanners.includes('vuln');
  if (!vulnRan) {
    // The vulnerability scanner did not run: no table, no total.
  } else if (findings.length === 0) {
    out.push('No vulnerabilities found.');
  } else {
    const rows = findings.map((f) => row(f, result));
    const widths = fit(
      HEADERS.map((h, c) => Math.max(h.length, ...rows.map((r) => chars(r[c] ?? '')))),
      width,
    );
    const line = (cells: readonly string[], sev?: string): string => {
      const padded = cells.map((c, i) => {
        const w = widths[i] ?? 0;
        const text = clip(c, w);
        return i === cells.length - 1 ? text : text + ' '.repeat(Math.max(0, w - chars(text)));
      });
      if (colour && sev !== undefined) padded[0] = `${COLOURS[sev] ?? ''}${padded[0]}\u001b[0m`;
      return padded.join(GAP).trimEnd();
    };
    out.push(bold(line([...HEADERS])));
    for (const [i, f] of findings.entries()) out.push(line(rows[i] ?? [], f.severity));
  }
  if (vulnRan) {
    out.push('');
    const counts = countBySeverity(findings);
    const packages = new Set(findings.map((f) => f.packageId)).size;
    out.push(
      `Total: ${findings.length} (${SEVERITIES.map((s) => `${s}: ${counts[s]}`).join(', ')}) in ${packages} package${packages === 1 ? '' : 's'}`,
    );
  }
  const sections: [string, (r: ScanReportInput, w: number) => string[]][] = [
    ['secret', secretSection],
    ['misconfig', misconfigSection],
    ['malware', malwareSection],
    ['license', licenseSection],
  ];
  for (const [scanner, section] of sections) {
    if (!result.scanners.includes(scanner)) continue;
    out.push('');
    const [head, ...rest] = section(result, width);
    if (head !== undefined) out.push(bold(head));
    out.push(...rest);
  }
  if (inv.unknowns.length > 0) out.push(`${inv.unknowns.length} file(s) could not be analysed; run customs sbom to see them`);
  if (result.notes.length > 0) {
    out.push('');
    out.push(bold('Notes:'));
    for (const n of result.notes) out.push(`  - ${printable(n.message)}`);
  }
  return `${out.join('\n')}\n`;
}

export const scanTable: ScanWriter = { format: 'table', render: renderScanTable };
