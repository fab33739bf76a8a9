/**
 * GitLab container-scanning report, schema 15.x
 * (gitlab-org/security-products/security-report-schemas,
 * dist/container-scanning-report-format.json; what `artifacts:reports:
 * container_scanning` ingests). Vulnerabilities only: the format has no place
 * for secrets or misconfigurations.
 *
 * - scan.start_time / end_time: the schema's pattern has no fraction and no
 *   zone ("2026-01-01T00:00:00"), UTC here.
 * - vulnerabilities[].id: a UUID-shaped hash of (vulnerability, package, image),
 *   stable across rescans so GitLab tracks one finding.
 * - findings the verdict suppressed are left out (GitLab would raise them as
 *   new alerts; the report has no suppression field); `remediations[]` is
 *   empty: GitLab's remediation needs a diff that applies to the repository,
 *   which a scan of an image does not have. The fix goes in `solution`.
 */
import { clip } from '../core/index.js';
import { advisorySource } from './cdx-vex.js';
import { type MachineReportOptions, stableHash, verdictIndex, vulnRemediation } from './finding-refs.js';
import { findingsOf, type ScanResult } from '../result/index.js';

export const GITLAB_SCHEMA_VERSION = '15.2.1';

const SEVERITY = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', unknown: 'Unknown' } as const;

/** "2026-01-01T00:00:00" (the schema's pattern ^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$), UTC. */
function gitlabTime(iso: string): string {
  const d = new Date(iso);
  return (Number.isNaN(d.getTime()) ? new Date(0) : d).toISOString().slice(0, 19);
}

function uuidOf(text: string): string {
  const h = `${stableHash(text)}${stableHash(`gitlab\0${text}`)}`;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((Number.parseInt(h[16] ?? '0', 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const isHttpUrl = (u: string): boolean => /^https?:\/\/\S+$/.test(u);

/** GitLab container-scanning report JSON. Same input, same bytes. */
export function renderGitlab(result: ScanResult, opts: MachineReportOptions = {}): string {
  const inv = result.inventory;
  const time = gitlabTime(inv.createdAt);
  const image = inv.target.repoTags[0] ?? inv.target.name;
  const os = inv.os ? `${inv.os.family} ${inv.os.version}`.trim() : 'Unknown';
  const index = verdictIndex(opts.verdict);
  const tool = { id: 'customs', name: 'customs', version: inv.tool.version, vendor: { name: 'customs' } };

  const vulnerabilities = [];
  for (const f of findingsOf(result)) {
    if (f.kind !== 'vuln') continue;
    if (index.of(f).suppression) continue;
    const v = f.vuln;
    const identifiers = [v.id, ...v.aliases].slice(0, 20).map((id) => {
      const src = advisorySource(id);
      const url = src?.url ?? (id === v.id ? v.url : undefined);
      return {
        type: (/^[A-Za-z]+/.exec(id)?.[0] ?? 'advisory').toLowerCase(),
        name: id,
        value: id,
        ...(url !== undefined && isHttpUrl(url) ? { url } : {}),
      };
    });
    const links = [...new Set([v.url, ...identifiers.flatMap((i) => (i.url ? [i.url] : []))])]
      .filter(isHttpUrl)
      .map((url) => ({ url }));
    vulnerabilities.push({
      id: uuidOf(`${v.id}\0${v.package.ecosystem}\0${v.package.name}\0${v.paths[0] ?? ''}\0${image}`),
      name: clip(`${v.id} in ${v.package.name}${v.title ? `: ${v.title}` : ''}`, 255),
      description: clip(
        `${v.title ?? v.id} (${v.package.name} ${v.installedVersion}, ${v.package.ecosystem}; severity ${v.severity} by ${v.severitySource}). Found in ${v.paths.join(', ') || 'the image'}, layer ${v.layer}.`,
        1_048_576,
      ),
      severity: SEVERITY[v.severity],
      solution: clip(vulnRemediation(result, v, opts.verdict) ?? '', 7000),
      location: {
        dependency: { package: { name: v.package.name }, version: v.installedVersion },
        operating_system: os,
        image,
      },
      identifiers,
      links,
    });
  }

  const report = {
    version: GITLAB_SCHEMA_VERSION,
    scan: {
      analyzer: tool,
      scanner: tool,
      type: 'container_scanning',
      start_time: time,
      end_time: time,
      status: 'success',
    },
    vulnerabilities,
    remediations: [],
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}
