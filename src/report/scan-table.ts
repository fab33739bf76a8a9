/**
 * The human report of `customs scan`: a header (target, OS, DB age), one row per
 * finding sorted by severity then package (the order of ScanResult), a summary
 * line and the notes. Columns: SEVERITY ID PACKAGE INSTALLED FIXED STATUS LAYER;
 * when the line is too narrow, PACKAGE, INSTALLED and FIXED shrink (cut with "…")
 * before ID; SEVERITY, STATUS and LAYER keep their width (60 columns at least). Text from the image or the feeds is made
 * printable (terminal escapes in a hostile package name are shown as "?").
 *
 * With a verdict (`customs gate`), findings are grouped by target (the OS
 * packages, then each language package's file, like Trivy's results) and,
 * within a target, by severity with a count line; findings the policy
 * suppressed stay in the table, STATUS "suppressed", with why listed after it,
 * and the total says how many of the findings were suppressed.
 */
import type { VulnFinding } from '../match/index.js';
import type { Verdict } from '../policy/index.js';
import { clip, SEVERITIES } from '../core/index.js';
import { describeSuppression, suppressionIndex } from './finding-refs.js';
import { licenseSection, malwareSection, misconfigSection, secretSection } from './scan-sections.js';
import { countBySeverity } from './summary.js';
import { layerLabel, printable } from './text.js';
import type { ScanResult } from '../result/index.js';
import type { RenderOptions, ScanWriter } from './types.js';

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
/** purl types whose packages come from the OS package database. */
const OS_ECOSYSTEMS: ReadonlySet<string> = new Set(['deb', 'rpm', 'apk']);

export interface ScanTableOptions extends RenderOptions {
  /** The gate's verdict: group by target and severity, mark suppressed findings. */
  readonly verdict?: Verdict;
}

/** The target a finding belongs to: the OS, or the language package's file. */
function targetOf(f: VulnFinding, result: ScanResult): { key: string; label: string } {
  if (OS_ECOSYSTEMS.has(f.package.ecosystem)) {
    const os = result.inventory.os;
    return {
      key: `0\0${f.package.ecosystem}`,
      label: `${os ? `${os.family} ${os.version}`.trim() : 'OS packages'} (${f.package.ecosystem})`,
    };
  }
  const where = f.paths[0] ?? '';
  return { key: `1\0${where}\0${f.package.ecosystem}`, label: `${where || '(no path)'} (${f.package.ecosystem})` };
}
const COLOURS: Readonly<Record<string, string>> = {
  critical: '\u001b[1;31m',
  high: '\u001b[31m',
  medium: '\u001b[33m',
  low: '\u001b[36m',
  unknown: '\u001b[2m',
};

const chars = (s: string): number => [...s].length;

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

function row(f: VulnFinding, result: ScanResult): string[] {
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

export function renderScanTable(result: ScanResult, opts: ScanTableOptions = {}): string {
  const width = Math.max(60, Math.floor(opts.width ?? 120));
  const colour = opts.color === true;
  const bold = (s: string): string => (colour ? `\u001b[1m${s}\u001b[0m` : s);
  const inv = result.inventory;
  const out: string[] = [];
  out.push(`${bold('Target:')}   ${clip(printable(inv.target.name), width - 11)}`);
  out.push(
    `${bold('OS:')}       ${inv.os ? clip(printable(`${inv.os.name || inv.os.family} [${inv.os.family} ${inv.os.version}]`), width - 11) : 'unknown'}`,
  );
  out.push(`${bold('Packages:')} ${inv.packages.length}`);
  if (result.db) out.push(`${bold('DB:')}       built ${printable(result.db.builtAt || 'unknown')}`);
  out.push('');
  const findings = result.vulnerabilities;
  const vulnRan = result.scanners.includes('vuln');
  if (!vulnRan) {
    // The vulnerability scanner did not run: no table, no total.
  } else if (findings.length === 0) {
    out.push('No vulnerabilities found.');
  } else {
    const sup = suppressionIndex(opts.verdict);
    const suppressed = findings.map((f) => sup.vuln(f));
    const rows = findings.map((f, i) => {
      const r = row(f, result);
      if (suppressed[i] !== undefined) r[5] = 'suppressed';
      return r;
    });
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
    if (opts.verdict === undefined) {
      for (const [i, f] of findings.entries()) out.push(line(rows[i] ?? [], f.severity));
    } else {
      // Targets: OS packages first, then files by path; each in the result's (severity) order.
      const groups = new Map<string, { label: string; items: number[] }>();
      for (const [i, f] of findings.entries()) {
        const t = targetOf(f, result);
        const g = groups.get(t.key) ?? { label: t.label, items: [] };
        g.items.push(i);
        groups.set(t.key, g);
      }
      const keys = [...groups.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      for (const key of keys) {
        const g = groups.get(key);
        if (!g) continue;
        out.push('', bold(clip(printable(`${g.label}: ${g.items.length}`), width)));
        for (const sev of SEVERITIES) {
          const items = g.items.filter((i) => findings[i]?.severity === sev);
          if (items.length === 0) continue;
          out.push(`  ${sev.toUpperCase()} (${items.length})`);
          for (const i of items) out.push(line(rows[i] ?? [], sev));
        }
      }
      const why = findings.flatMap((f, i) => {
        const s = suppressed[i];
        return s ? [`  - ${f.id} in ${f.package.name} ${f.installedVersion}: ${describeSuppression(s)}`] : [];
      });
      if (why.length > 0) out.push('', bold(`Suppressed: ${why.length}`), ...why.map((l) => clip(printable(l), width)));
    }
  }
  if (vulnRan) {
    out.push('');
    const counts = countBySeverity(findings);
    const packages = new Set(findings.map((f) => f.packageId)).size;
    const sup = suppressionIndex(opts.verdict);
    const nSuppressed = sup.size === 0 ? 0 : findings.filter((f) => sup.vuln(f) !== undefined).length;
    out.push(
      `Total: ${findings.length} (${SEVERITIES.map((s) => `${s}: ${counts[s]}`).join(', ')}) in ${packages} package${packages === 1 ? '' : 's'}${nSuppressed > 0 ? `; ${nSuppressed} suppressed` : ''}`,
    );
  }
  const sections: [string, (r: ScanResult, w: number) => string[]][] = [
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
  if (inv.unknowns.length > 0)
    out.push(`${inv.unknowns.length} file(s) could not be analysed; run customs sbom to see them`);
  if (result.notes.length > 0) {
    out.push('');
    out.push(bold('Notes:'));
    for (const n of result.notes) out.push(`  - ${printable(n.message)}`);
  }
  return `${out.join('\n')}\n`;
}

export const scanTable: ScanWriter = { format: 'table', render: renderScanTable };
