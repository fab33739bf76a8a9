/**
 * Reports of `customs scan dockerfile|k8s PATH`: a table of misconfigurations
 * (severity, check, file:line, finding) and a JSON document
 * (docs/reports.md "Dockerfile and Kubernetes scans").
 */
import type { Misconfiguration, SkippedObject } from '../checks/index.js';
import { RATED_SEVERITIES } from '../core/index.js';
import { misconfigTable } from './scan-sections.js';
import { printable } from './text.js';
import type { RenderOptions } from './types.js';

/** What the config writers read (engine's ConfigScanResult is one). */
export interface ConfigReportInput {
  readonly schemaVersion: number;
  readonly kind: string;
  readonly target: string;
  readonly files: readonly string[];
  readonly misconfigurations: readonly Misconfiguration[];
  /** Objects no check covers (checkKubernetesInput's `skipped`). */
  readonly skipped?: readonly SkippedObject[];
}

export function renderConfigTable(r: ConfigReportInput, opts: RenderOptions = {}): string {
  const width = Math.max(60, Math.floor(opts.width ?? 120));
  const out = [
    `Target: ${printable(r.target)} (${printable(r.kind)}, ${r.files.length} file${r.files.length === 1 ? '' : 's'})`,
    '',
  ];
  if (r.misconfigurations.length === 0) out.push('No misconfigurations found.');
  else out.push(...misconfigTable(r.misconfigurations, width));
  const counts = RATED_SEVERITIES.map((s) => `${s}: ${r.misconfigurations.filter((m) => m.severity === s).length}`);
  out.push('', `Total: ${r.misconfigurations.length} (${counts.join(', ')})`);
  if (r.skipped?.length)
    out.push(
      `Skipped (not checked): ${r.skipped.map((o) => `${o.kind}/${o.namespace}/${o.name} (${o.reason})`).join(', ')}`,
    );
  return `${out.join('\n')}\n`;
}

export function renderConfigJson(r: ConfigReportInput): string {
  const doc = {
    schemaVersion: 1,
    kind: r.kind,
    target: r.target,
    files: [...r.files],
    misconfigurations: r.misconfigurations.map((m) => ({
      checkId: m.checkId,
      severity: m.severity,
      title: m.title,
      message: m.message,
      target: m.target,
      location: m.location
        ? { path: m.location.path, startLine: m.location.startLine, endLine: m.location.endLine }
        : undefined,
      evidence: m.evidence,
    })),
    // Objects no check covers, so a reader can tell "checked and clean" from "not checked".
    ...(r.skipped?.length ? { skipped: r.skipped.map((o) => ({ ...o })) } : {}),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
