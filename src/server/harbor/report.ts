/**
 * The one mapping from customs' scan result (src/result) to Harbor's
 * vulnerability report (pluggable scanner spec, HarborVulnerabilityReport).
 * Severities map one to one onto Harbor's scale (customs has no Negligible);
 * the report's `severity` is the highest of its items, Unknown when none.
 * CVSS: the finding's preferred score fills `preferred_cvss` (v3.x or v2),
 * every rating with a CVSS vector goes to vendor_attributes.CVSS by source.
 */
import type { Severity } from '../../core/index.js';
import type { ScanResult } from '../../result/index.js';

export type HarborSeverity = 'Unknown' | 'Negligible' | 'Low' | 'Medium' | 'High' | 'Critical';

const SEVERITY: Readonly<Record<Severity, HarborSeverity>> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  unknown: 'Unknown',
};
const ORDER: readonly HarborSeverity[] = ['Unknown', 'Negligible', 'Low', 'Medium', 'High', 'Critical'];

export interface HarborArtifact {
  readonly repository: string;
  readonly digest: string;
  readonly tag?: string;
  readonly mime_type?: string;
}

export interface HarborScanner {
  readonly name: string;
  readonly vendor: string;
  readonly version: string;
}

export interface HarborCvss {
  score_v3?: number;
  vector_v3?: string;
  score_v2?: number;
  vector_v2?: string;
}

export interface HarborVulnerability {
  readonly id: string;
  readonly package: string;
  readonly version: string;
  readonly fix_version?: string;
  readonly severity: HarborSeverity;
  readonly description: string;
  readonly links: readonly string[];
  readonly preferred_cvss?: HarborCvss;
  readonly vendor_attributes: Record<string, unknown>;
}

export interface HarborReport {
  readonly generated_at: string;
  readonly artifact: HarborArtifact;
  readonly scanner: HarborScanner;
  readonly severity: HarborSeverity;
  readonly vulnerabilities: readonly HarborVulnerability[];
}

const isLink = (s: string): boolean => {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
};

export function harborSeverity(s: string): HarborSeverity {
  return SEVERITY[s as Severity] ?? 'Unknown';
}

export function toHarborReport(
  result: ScanResult,
  artifact: HarborArtifact,
  scanner: HarborScanner,
  generatedAt: Date,
): HarborReport {
  let highest: HarborSeverity = 'Unknown';
  const vulnerabilities = result.vulnerabilities.map((f): HarborVulnerability => {
    const severity = harborSeverity(f.severity);
    if (ORDER.indexOf(severity) > ORDER.indexOf(highest)) highest = severity;
    const preferred: HarborCvss = {};
    const byVersion = (v: string | undefined, score: number | undefined, vector: string | undefined) => {
      if (score === undefined && vector === undefined) return;
      if (v?.startsWith('3') && preferred.score_v3 === undefined) {
        if (score !== undefined) preferred.score_v3 = score;
        if (vector !== undefined) preferred.vector_v3 = vector;
      } else if (v?.startsWith('2') && preferred.score_v2 === undefined) {
        if (score !== undefined) preferred.score_v2 = score;
        if (vector !== undefined) preferred.vector_v2 = vector;
      }
    };
    if (f.cvss) byVersion(f.cvss.version, f.cvss.score, f.cvss.vector);
    for (const r of f.ratings) byVersion(r.cvssVersion, r.score, r.vector);
    const cvssBySource: Record<string, Record<string, number | string>> = {};
    for (const r of f.ratings) {
      if (r.vector === undefined && r.score === undefined) continue;
      const major = r.cvssVersion?.split('.')[0] ?? '';
      const entry = cvssBySource[r.source] ?? {};
      cvssBySource[r.source] = entry;
      if (r.score !== undefined) entry[`V${major}Score`] = r.score;
      if (r.vector !== undefined) entry[`V${major}Vector`] = r.vector;
    }
    const links = [...new Set([f.url].filter(isLink))];
    return {
      id: f.id,
      package: f.package.name,
      version: f.installedVersion,
      ...(f.fixedVersions.length > 0 ? { fix_version: f.fixedVersions.join(', ') } : {}),
      severity,
      description: f.title ?? '',
      links,
      ...(Object.keys(preferred).length > 0 ? { preferred_cvss: preferred } : {}),
      vendor_attributes: {
        ...(Object.keys(cvssBySource).length > 0 ? { CVSS: cvssBySource } : {}),
        purl: f.package.purl,
        ecosystem: f.package.ecosystem,
        aliases: [...f.aliases],
        severity_source: f.severitySource,
        state: f.state,
        kev: f.kev,
        ...(f.epss ? { epss: f.epss } : {}),
        layer: f.layer,
      },
    };
  });
  return {
    generated_at: generatedAt.toISOString(),
    artifact: {
      repository: artifact.repository,
      digest: artifact.digest,
      ...(artifact.tag !== undefined ? { tag: artifact.tag } : {}),
      ...(artifact.mime_type !== undefined ? { mime_type: artifact.mime_type } : {}),
    },
    scanner,
    severity: highest,
    vulnerabilities,
  };
}
