/**
 * The table sections for secrets, misconfigurations, malware and licences in
 * `customs scan`'s human report. Each is a list of rows in the result's order,
 * one line each, cut to the width; text from the image is made printable.
 */
import type { Misconfiguration } from '../checks/index.js';
import { clip, severityRank } from '../core/index.js';
import { layerLabel, printable } from './text.js';
import type { ScanResult } from '../result/index.js';

/**
 * Most severe first, as the tables' help says; within a severity the result's own order
 * (path and line for secrets, file and line for misconfigurations) is kept (a stable sort).
 */
function bySeverity<T extends { readonly severity: string }>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
}

/**
 * Rows as aligned columns; the last column takes what is left of the width. On a
 * terminal a column is at most 48 wide; with no width limit (a file, a pipe) nothing is cut.
 * Every cell is made printable here, so a cell no section thought of (a user
 * rule's ID, a severity from a saved result) cannot carry an escape either.
 */
function table(headers: readonly string[], cells: readonly string[][], width: number): string[] {
  const rows = cells.map((r) => r.map(printable));
  const cap = Number.isFinite(width) ? 48 : Number.POSITIVE_INFINITY;
  const widths = headers.map((h, c) => Math.min(cap, Math.max(h.length, ...rows.map((r) => [...(r[c] ?? '')].length))));
  const line = (cells: readonly string[]): string =>
    clip(
      cells
        .map((c, i) => (i === cells.length - 1 ? c : clip(c, widths[i] ?? 0).padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
      width,
    );
  return [line(headers), ...rows.map(line)];
}

export function secretSection(r: ScanResult, width: number): string[] {
  const list = r.secrets ?? [];
  const out = [`Secrets: ${list.length}`];
  if (list.length === 0) return out;
  const rows = bySeverity(list).map((s) => [
    s.severity.toUpperCase(),
    s.ruleId,
    `${printable(s.location)}${s.line !== undefined ? `:${s.line}` : ''}`,
    s.hiddenByLayer
      ? `${layerLabel(r, s.layer)} (deleted in ${layerLabel(r, s.hiddenByLayer)})`
      : layerLabel(r, s.layer),
    printable(s.match),
  ]);
  return [...out, ...table(['SEVERITY', 'RULE', 'WHERE', 'LAYER', 'MATCH (redacted)'], rows, width)];
}

/** Misconfiguration rows: SEVERITY CHECK WHERE FINDING. */
export function misconfigTable(list: readonly Misconfiguration[], width: number): string[] {
  const rows = bySeverity(list).map((m) => [
    m.severity.toUpperCase(),
    m.checkId,
    m.location ? `${printable(m.location.path)}:${m.location.startLine}` : printable(m.target),
    printable(m.message),
  ]);
  return table(['SEVERITY', 'CHECK', 'WHERE', 'FINDING'], rows, width);
}

export function misconfigSection(r: ScanResult, width: number): string[] {
  const list = r.misconfigurations ?? [];
  const out = [`Misconfigurations: ${list.length}`];
  return list.length === 0 ? out : [...out, ...misconfigTable(list, width)];
}

export function malwareSection(r: ScanResult, width: number): string[] {
  const list = r.malware ?? [];
  const out = [`Malware: ${list.length}`];
  if (list.length === 0) return out;
  const rows = bySeverity(list).map((m) => [
    m.severity.toUpperCase(),
    m.ruleId,
    printable(m.path),
    m.hiddenByLayer
      ? `${layerLabel(r, m.layer)} (deleted in ${layerLabel(r, m.hiddenByLayer)})`
      : layerLabel(r, m.layer),
    printable(m.detail),
  ]);
  return [...out, ...table(['SEVERITY', 'RULE', 'PATH', 'LAYER', 'DETAIL'], rows, width)];
}

/** Licences named per category line before "… and N more". */
const LICENSES_PER_LINE = 5;

/**
 * Licences in a few lines, not a row per licence: the package count per category, then
 * the licences of each category that is not permissive (those a reader must look at),
 * most packages first. The full list is in the JSON and HTML reports.
 */
export function licenseSection(r: ScanResult, width: number): string[] {
  const report = r.licenses;
  if (!report) return [];
  const counts = Object.entries(report.byCategory);
  const total = counts.reduce((n, [, c]) => n + c, 0);
  const out = [
    `Licences: ${total} package${total === 1 ? '' : 's'} (${counts.map(([c, n]) => `${c}: ${n}`).join(', ')})`,
  ];
  for (const [category] of counts) {
    if (category === 'permissive') continue;
    const entries = report.byLicense
      .filter((e) => e.category === category)
      .sort((a, b) => b.packages.length - a.packages.length);
    if (entries.length === 0) continue;
    const named = entries
      .slice(0, LICENSES_PER_LINE)
      .map((e) => `${printable(e.license || '(none declared)')} (${e.packages.length})`);
    const more = entries.length > LICENSES_PER_LINE ? `, … and ${entries.length - LICENSES_PER_LINE} more` : '';
    out.push(clip(`  ${category}: ${named.join(', ')}${more}`, width));
  }
  out.push('  every package and its licence: -f json or -f html');
  return out;
}
