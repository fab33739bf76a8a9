/**
 * The one severity scale of every finding (vulnerabilities, secrets, misconfigurations,
 * malware) and of the flags and policy fields that name one. Highest first; "unknown"
 * is a vulnerability no source rated, and ranks below low.
 */
import { CustomsError } from './errors.js';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'unknown'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The severities a scanner assigns itself (every rule and check has one; only a vulnerability can be unrated). */
export const RATED_SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type RatedSeverity = (typeof RATED_SEVERITIES)[number];

/** Position on the scale, highest first: critical 0 … unknown 4; anything else ranks with unknown. */
export function severityRank(s: string): number {
  const i = (SEVERITIES as readonly string[]).indexOf(s);
  return i < 0 ? SEVERITIES.length - 1 : i;
}

/** True when `s` is `min` or more severe; an unrated ("unknown") finding meets no threshold but "unknown". */
export function isAtLeast(s: string, min: Severity): boolean {
  return severityRank(s) <= severityRank(min);
}

/** "--severity HIGH,critical" → ['critical', 'high'], highest first (upper case is accepted, as Trivy spells them). */
export function parseSeverityList(text: string, flag = '--severity'): Severity[] {
  const out = new Set<Severity>();
  for (const raw of text.split(',')) {
    const s = raw.trim().toLowerCase();
    if (s === '') continue;
    if (!(SEVERITIES as readonly string[]).includes(s)) {
      throw new CustomsError(
        'USAGE_BAD_FLAG',
        `${flag}: "${raw.trim()}" is not a severity; use a comma-separated list of ${SEVERITIES.join(', ')}`,
      );
    }
    out.add(s as Severity);
  }
  if (out.size === 0)
    throw new CustomsError('USAGE_BAD_FLAG', `${flag} needs at least one of ${SEVERITIES.join(', ')}`);
  return [...out].sort((a, b) => severityRank(a) - severityRank(b));
}

/** `s` on the scale; anything else (a stored value from an older or foreign writer) counts as unknown. */
export function toSeverity(s: string): Severity {
  return (SEVERITIES as readonly string[]).includes(s) ? (s as Severity) : 'unknown';
}

/** A zero count for every severity, in scale order (summaries and listings count into it). */
export function severityCounts(): Record<Severity, number> {
  return Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
}
