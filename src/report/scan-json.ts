/**
 * `customs scan --format json`: built field by field in the schema's order
 * (scan-json-schema.ts), so internal renames never leak into it and the same
 * result always gives the same bytes (two-space indent, final newline, findings
 * in ScanResult order: severity, package, version, ID).
 */
import type { VulnFinding } from '../match/index.js';
import type { Verdict } from '../policy/index.js';
import { countBySeverity } from './summary.js';
import type { ScanResult } from '../result/index.js';
import type { ScanWriter } from './types.js';

/** A vulnerability as the saved scan JSON writes it (also what the store keeps per finding). */
export function vulnerabilityJson(f: VulnFinding): Record<string, unknown> {
  return {
    id: f.id,
    aliases: [...f.aliases],
    severity: f.severity,
    severitySource: f.severitySource,
    cvss: f.cvss ? { vector: f.cvss.vector, score: f.cvss.score, version: f.cvss.version } : undefined,
    epss: f.epss ? { score: f.epss.score, percentile: f.epss.percentile } : undefined,
    kev: f.kev,
    state: f.state,
    package: {
      id: f.packageId,
      ecosystem: f.package.ecosystem,
      name: f.package.name,
      version: f.package.version,
      purl: f.package.purl,
    },
    installedVersion: f.installedVersion,
    fixedVersions: [...f.fixedVersions],
    layer: f.layer,
    paths: [...f.paths],
    title: f.title,
    published: f.published,
    url: f.url,
    ratings: f.ratings.map((r) => ({
      source: r.source,
      severity: r.severity,
      vector: r.vector,
      score: r.score,
      cvssVersion: r.cvssVersion,
    })),
    match: {
      matcher: f.match.matcher,
      searchedBy: f.match.searchedBy,
      advisory: f.match.advisory,
      constraint: f.match.constraint,
      comparedVersion: f.match.comparedVersion,
    },
  };
}

/** The config fields policies read (scan-json-schema.ts ConfigSchema), Env as redacted by the scan. */
function configJson(r: ScanResult): Record<string, unknown> | undefined {
  if (r.config === undefined) return undefined;
  const c = r.config.config ?? {};
  return {
    user: c.User,
    env: c.Env ? [...c.Env] : undefined,
    entrypoint: c.Entrypoint ? [...c.Entrypoint] : undefined,
    cmd: c.Cmd ? [...c.Cmd] : undefined,
    workingDir: c.WorkingDir,
    exposedPorts: c.ExposedPorts ? Object.keys(c.ExposedPorts).sort() : undefined,
    healthcheck: c.Healthcheck?.Test ? [...c.Healthcheck.Test] : undefined,
    stopSignal: c.StopSignal,
  };
}

export function renderScanJson(r: ScanResult): string {
  const inv = r.inventory;
  const counts = countBySeverity(r.vulnerabilities);
  const doc = {
    schemaVersion: 1,
    tool: { name: inv.tool.name, version: inv.tool.version },
    createdAt: inv.createdAt,
    target: {
      name: inv.target.name,
      transport: inv.target.transport,
      manifestDigest: inv.target.manifestDigest,
      configDigest: inv.target.configDigest,
      platform: inv.target.platform,
      repoTags: [...inv.target.repoTags],
      repoDigests: [...inv.target.repoDigests],
      created: inv.target.created,
      labels: inv.target.labels ? { ...inv.target.labels } : undefined,
      layers: inv.target.layers.map((l) => ({
        diffID: l.diffID,
        digest: l.digest,
        mediaType: l.mediaType,
        size: l.size,
        createdBy: l.createdBy,
      })),
    },
    os: inv.os
      ? {
          family: inv.os.family,
          version: inv.os.version,
          name: inv.os.name,
          codename: inv.os.codename,
          eol: inv.os.eol,
        }
      : undefined,
    scanners: [...r.scanners],
    db: r.db
      ? {
          schemaVersion: r.db.schemaVersion,
          builtAt: r.db.builtAt,
          sources: r.db.sources.map((s) => ({ name: s.name, timestamp: s.timestamp, records: s.records })),
        }
      : undefined,
    summary: {
      total: r.vulnerabilities.length,
      ...counts,
      packages: inv.packages.length,
      vulnerablePackages: new Set(r.vulnerabilities.map((f) => f.packageId)).size,
      unknowns: inv.unknowns.length,
    },
    vulnerabilities: r.vulnerabilities.map(vulnerabilityJson),
    notes: r.notes.map((n) => ({ message: n.message, ecosystem: n.ecosystem })),
    secrets: r.secrets?.map((x) => ({
      ruleId: x.ruleId,
      category: x.category,
      title: x.title,
      severity: x.severity,
      location: x.location,
      path: x.path,
      line: x.line,
      column: x.column,
      layer: x.layer,
      hiddenByLayer: x.hiddenByLayer,
      match: x.match,
    })),
    misconfigurations: r.misconfigurations?.map((m) => ({
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
    malware: r.malware?.map((m) => ({
      kind: m.kind,
      ruleId: m.ruleId,
      severity: m.severity,
      title: m.title,
      detail: m.detail,
      sha256: m.sha256,
      path: m.path,
      layer: m.layer,
      hiddenByLayer: m.hiddenByLayer,
    })),
    licenses: r.licenses
      ? {
          byCategory: { ...r.licenses.byCategory },
          byLicense: r.licenses.byLicense.map((e) => ({
            license: e.license,
            category: e.category,
            packages: [...e.packages],
          })),
          unknown: r.licenses.unknown.map((u) => ({ license: u.license, packages: [...u.packages] })),
        }
      : undefined,
    config: configJson(r),
    packages: inv.packages.map((p) => ({
      id: p.id,
      ecosystem: p.ecosystem,
      name: p.name,
      version: p.version,
      purl: p.purl,
      license: p.license,
      layer: p.layer,
      paths: [...p.paths],
    })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export const scanJson: ScanWriter = { format: 'json', render: (r) => renderScanJson(r) };

/** `customs gate -f json`: the verdict and the (filtered) scan result it judged. */
export function renderGateJson(r: ScanResult, verdict: Verdict): string {
  return `${JSON.stringify({ schemaVersion: 1, verdict, result: JSON.parse(renderScanJson(r)) as unknown }, null, 2)}\n`;
}
