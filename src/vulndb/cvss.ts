/**
 * CVSS vectors → scores and severities. Scores are computed from the vector
 * (ae-cvss-calculator implements FIRST's v2.0, v3.0, v3.1 and v4.0 equations),
 * never trusted from the feed's number, so every source is scored the same way.
 * A vector is checked first: every base metric present once with a value the
 * spec allows, else it is refused (a partial vector scores nonsense).
 */
import cvssLib from 'ae-cvss-calculator';
import type { Severity } from '../core/index.js';
import type { SeverityRating } from './types.js';

type Version = '2.0' | '3.0' | '3.1' | '4.0';

/** Base metrics and allowed values per version (CVSS v2 guide §2.1, v3.1 spec §2, v4.0 spec §2). */
const BASE: Readonly<Record<Version, Readonly<Record<string, string>>>> = {
  '2.0': { AV: 'LAN', AC: 'HML', Au: 'MSN', C: 'NPC', I: 'NPC', A: 'NPC' },
  '3.0': { AV: 'NALP', AC: 'LH', PR: 'NLH', UI: 'NR', S: 'UC', C: 'HLN', I: 'HLN', A: 'HLN' },
  '3.1': { AV: 'NALP', AC: 'LH', PR: 'NLH', UI: 'NR', S: 'UC', C: 'HLN', I: 'HLN', A: 'HLN' },
  '4.0': {
    AV: 'NALP',
    AC: 'LH',
    AT: 'NP',
    PR: 'NLH',
    UI: 'NPA',
    VC: 'HLN',
    VI: 'HLN',
    VA: 'HLN',
    SC: 'HLN',
    SI: 'HLN',
    SA: 'HLN',
  },
};

export interface CvssScore {
  readonly version: Version;
  /** The vector as given, without v2's optional parentheses. */
  readonly vector: string;
  readonly score: number;
  readonly severity: Severity;
}

function versionOf(vector: string): Version | undefined {
  if (vector.startsWith('CVSS:3.1/')) return '3.1';
  if (vector.startsWith('CVSS:3.0/')) return '3.0';
  if (vector.startsWith('CVSS:4.0/')) return '4.0';
  if (/^AV:[LAN]\//.test(vector)) return '2.0';
  return undefined;
}

function baseComplete(version: Version, vector: string): boolean {
  const parts = (version === '2.0' ? vector : vector.slice(vector.indexOf('/') + 1)).split('/');
  const seen = new Set<string>();
  const base = BASE[version];
  for (const p of parts) {
    const [k, v, extra] = p.split(':');
    if (k === undefined || v === undefined || extra !== undefined || v.length === 0 || seen.has(k)) return false;
    seen.add(k);
    const allowed = base[k];
    if (allowed !== undefined && (v.length !== 1 || !allowed.includes(v))) return false;
  }
  return Object.keys(base).every((k) => seen.has(k));
}

/** Qualitative rating: v3.x/v4.0 spec table (None 0 → low here), v2 per NVD (no "critical"). */
export function severityFromScore(score: number, version: string): Severity {
  if (!Number.isFinite(score) || score < 0 || score > 10) return 'unknown';
  if (version === '2.0') return score >= 7 ? 'high' : score >= 4 ? 'medium' : 'low';
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  return 'low';
}

/** Score a CVSS vector; undefined when it is not a complete, valid base vector. */
export function scoreVector(raw: string): CvssScore | undefined {
  const vector = raw.trim().replace(/^\((.*)\)$/, '$1');
  if (vector.length > 400) return undefined;
  const version = versionOf(vector);
  if (version === undefined || !baseComplete(version, vector)) return undefined;
  try {
    const calc =
      version === '2.0'
        ? new cvssLib.Cvss2(vector)
        : version === '3.0'
          ? new cvssLib.Cvss3P0(vector)
          : version === '3.1'
            ? new cvssLib.Cvss3P1(vector)
            : new cvssLib.Cvss4P0(vector);
    const score = calc.calculateScores().base;
    if (typeof score !== 'number' || !Number.isFinite(score)) return undefined;
    return { version, vector, score, severity: severityFromScore(score, version) };
  } catch {
    return undefined;
  }
}

/** A SeverityRating from a vector, or undefined when the vector is invalid. */
export function cvssRating(source: string, vector: string): SeverityRating | undefined {
  const s = scoreVector(vector);
  return s ? { source, severity: s.severity, vector: s.vector, score: s.score, cvssVersion: s.version } : undefined;
}

/**
 * Vendor words → severity: GHSA (LOW, MODERATE, HIGH, CRITICAL), Debian urgency
 * (unimportant, low, medium, high, "not yet assigned", with "*" marking a guess),
 * Ubuntu priority (negligible, low, medium, high, critical, untriaged), Red Hat
 * (low, moderate, important, critical), SUSE (low, moderate, important, critical).
 */
export function severityFromWord(word: string): Severity {
  switch (word.trim().replace(/\*+$/, '').toLowerCase()) {
    case 'critical':
      return 'critical';
    case 'high':
    case 'important':
      return 'high';
    case 'medium':
    case 'moderate':
      return 'medium';
    case 'low':
    case 'negligible':
    case 'unimportant':
      return 'low';
    default:
      return 'unknown';
  }
}
