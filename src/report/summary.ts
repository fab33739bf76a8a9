import type { VulnFinding } from '../match/index.js';
import { SEVERITIES, type Severity } from '../core/index.js';

export type SeverityCounts = Readonly<Record<Severity, number>>;

/** Findings per severity; every severity present (zero when none). */
export function countBySeverity(findings: readonly VulnFinding[]): SeverityCounts {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) counts[f.severity]++;
  return counts;
}
