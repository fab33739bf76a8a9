/**
 * One flat list of findings (vulnerabilities, secrets, misconfigurations,
 * malware) for every report writer (SARIF, JUnit, GitLab, CycloneDX VEX, HTML,
 * Markdown, table), with what a Verdict says about each: suppressed (and why),
 * the rules it failed or warned, and its remediation.
 *
 * Keys that tie a finding to a policy FindingRef follow the examples of the
 * contract (src/policy/types.ts): vuln "CVE-2023-38545@<packageId>" (any alias
 * too), secret "<ruleId>@<location>:<line>", misconfig "<checkId>@<path>:<line>"
 * or "<checkId>@<target>" (src/policy/rules/findings-rule.ts; bare "<checkId>"
 * too, the contract's example), malware "<ruleId>@<path>".
 */
import type { Misconfiguration } from '../checks/index.js';
import type { VulnFinding } from '../match/index.js';
import {
  malwareRefId,
  misconfigRefId,
  type Remediation,
  type RuleAction,
  secretRefId,
  type Suppression,
  type Verdict,
  vulnRefId,
} from '../policy/index.js';
import type { MalwareFinding, ScanReportInput, SecretFinding } from './types.js';

/** critical … low as every scanner rates; unknown when no one rated it. */
export type FindingLevel = 'critical' | 'high' | 'medium' | 'low' | 'unknown';

export type ReportFinding =
  | {
      readonly kind: 'vuln';
      readonly refIds: readonly string[];
      readonly severity: FindingLevel;
      readonly vuln: VulnFinding;
    }
  | {
      readonly kind: 'secret';
      readonly refIds: readonly string[];
      readonly severity: FindingLevel;
      readonly secret: SecretFinding;
    }
  | {
      readonly kind: 'misconfig';
      readonly refIds: readonly string[];
      readonly severity: FindingLevel;
      readonly misconfig: Misconfiguration;
    }
  | {
      readonly kind: 'malware';
      readonly refIds: readonly string[];
      readonly severity: FindingLevel;
      readonly malware: MalwareFinding;
    };

/** Options every machine-readable writer takes. */
export interface MachineReportOptions {
  readonly verdict?: Verdict;
  /** The Dockerfile the image was built from, repository-relative, and the line of its (last) FROM. */
  readonly dockerfile?: { readonly path: string; readonly fromLine?: number };
}

/** Every ref id a policy may use for the vulnerability: its ID or any alias, at the package. */
export const vulnRefIds = (f: VulnFinding): string[] => [f.id, ...f.aliases].map((id) => vulnRefId(id, f.packageId));
/** A misconfiguration's ref id; a bare check id names it everywhere. */
export const misconfigRefIds = (m: Misconfiguration): string[] => [misconfigRefId(m), m.checkId];

export function reportFindings(result: ScanReportInput): ReportFinding[] {
  const out: ReportFinding[] = [];
  for (const v of result.vulnerabilities)
    out.push({ kind: 'vuln', refIds: vulnRefIds(v), severity: v.severity, vuln: v });
  for (const s of result.secrets ?? [])
    out.push({ kind: 'secret', refIds: [secretRefId(s)], severity: s.severity, secret: s });
  for (const m of result.misconfigurations ?? []) {
    out.push({ kind: 'misconfig', refIds: misconfigRefIds(m), severity: m.severity, misconfig: m });
  }
  for (const m of result.malware ?? [])
    out.push({ kind: 'malware', refIds: [malwareRefId(m)], severity: m.severity, malware: m });
  return out;
}

/** The rule id a finding reports under: the vulnerability, check, secret or malware rule. */
export function ruleIdOf(f: ReportFinding): string {
  switch (f.kind) {
    case 'vuln':
      return f.vuln.id;
    case 'secret':
      return f.secret.ruleId;
    case 'misconfig':
      return f.misconfig.checkId;
    case 'malware':
      return f.malware.ruleId;
  }
}

/** The scanner a finding comes from, as `--scanners` names it. */
export function scannerOf(f: ReportFinding): string {
  return f.kind === 'vuln' ? 'vuln' : f.kind === 'misconfig' ? 'misconfig' : f.kind;
}

/** One line for humans. */
export function titleOf(f: ReportFinding): string {
  switch (f.kind) {
    case 'vuln': {
      const v = f.vuln;
      return `${v.id} in ${v.package.name} ${v.installedVersion}${v.title ? `: ${v.title}` : ''}`;
    }
    case 'secret':
      return `${f.secret.title} in ${f.secret.location}${f.secret.line !== undefined ? `:${f.secret.line}` : ''}`;
    case 'misconfig':
      return `${f.misconfig.title}: ${f.misconfig.message}`;
    case 'malware':
      return `${f.malware.title} in ${f.malware.path}`;
  }
}

/** What the verdict says about one finding. */
export interface FindingVerdict {
  readonly suppression?: Suppression;
  /** Policy rules whose findings include this one. */
  readonly rules: readonly { readonly ruleId: string; readonly action: RuleAction; readonly message: string }[];
}

export interface VerdictIndex {
  of(f: ReportFinding): FindingVerdict;
}

export function verdictIndex(verdict: Verdict | undefined): VerdictIndex {
  const suppressed = new Map<string, Suppression>();
  for (const s of verdict?.suppressed ?? []) {
    const key = `${s.finding.kind}\0${s.finding.id}`;
    if (!suppressed.has(key)) suppressed.set(key, s);
  }
  const rules = new Map<string, { ruleId: string; action: RuleAction; message: string }[]>();
  for (const r of verdict?.rules ?? []) {
    for (const ref of r.findings) {
      const key = `${ref.kind}\0${ref.id}`;
      const list = rules.get(key) ?? [];
      if (!list.some((x) => x.ruleId === r.ruleId))
        list.push({ ruleId: r.ruleId, action: r.action, message: r.message });
      rules.set(key, list);
    }
  }
  return {
    of(f) {
      let suppression: Suppression | undefined;
      const hit: { ruleId: string; action: RuleAction; message: string }[] = [];
      for (const id of f.refIds) {
        const key = `${f.kind}\0${id}`;
        suppression ??= suppressed.get(key);
        for (const r of rules.get(key) ?? []) if (!hit.some((x) => x.ruleId === r.ruleId)) hit.push(r);
      }
      return suppression ? { suppression, rules: hit } : { rules: hit };
    },
  };
}

/**
 * Whether a finding fails the build: with a verdict, when a `fail` rule names
 * it and nothing suppressed it; without one, when it is high or critical.
 */
export function failsGate(f: ReportFinding, fv: FindingVerdict, verdict: Verdict | undefined): boolean {
  if (fv.suppression) return false;
  if (verdict) return fv.rules.some((r) => r.action === 'fail');
  return f.severity === 'critical' || f.severity === 'high';
}

/** Whether the layer is the image's first (base) layer. */
export function isBaseLayer(result: ScanReportInput, layer: string | undefined): boolean {
  const first = result.inventory.target.layers[0]?.diffID;
  return layer !== undefined && first !== undefined && layer === first;
}

/**
 * How to fix a vulnerability, in words: the fixed version, rebuilding on a
 * newer base image when the package came with the base layer, and the
 * verdict's remediation for the package.
 */
export function vulnRemediation(
  result: ScanReportInput,
  v: VulnFinding,
  verdict: Verdict | undefined,
): string | undefined {
  const parts: string[] = [];
  const fixed = v.fixedVersions[0];
  if (fixed !== undefined) parts.push(`Upgrade ${v.package.name} from ${v.installedVersion} to ${fixed} or later.`);
  else if (v.state === 'will-not-fix') parts.push(`The distribution will not fix ${v.id} in ${v.package.name}.`);
  else parts.push(`No fixed version of ${v.package.name} is known yet.`);
  if (isBaseLayer(result, v.layer))
    parts.push('The package comes from the base image: fixed by rebuilding on a newer base image.');
  for (const r of remediationsFor(verdict, v.package.name)) parts.push(describeRemediation(r));
  return parts.join(' ');
}

export function remediationsFor(verdict: Verdict | undefined, pkg: string): Remediation[] {
  return (verdict?.remediation ?? []).filter((r) => r.package === pkg);
}

export function describeRemediation(r: Remediation): string {
  const how = r.how === 'rebuild-base' ? 'rebuild on a newer base image to get' : 'upgrade to';
  const clears = r.clears.length > 0 ? ` (clears ${r.clears.join(', ')})` : '';
  return `Policy remediation: ${how} ${r.package} ${r.to} (from ${r.from})${clears}.`;
}

/** The best CVSS score of a vulnerability: its chosen CVSS, else the highest rated. */
export function cvssScore(v: VulnFinding): number | undefined {
  if (v.cvss) return v.cvss.score;
  let best: number | undefined;
  for (const r of v.ratings) if (r.score !== undefined && (best === undefined || r.score > best)) best = r.score;
  return best;
}

/** A deterministic short hash (FNV-1a 64, hex) for fingerprints and IDs. */
export function stableHash(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (const b of Buffer.from(text, 'utf8')) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

/** Looks up the suppression (exception, VEX, ignore file) that applies to a finding, if any. */
export interface SuppressionIndex {
  vuln(f: VulnFinding): Suppression | undefined;
  secret(s: SecretFinding): Suppression | undefined;
  malware(m: MalwareFinding): Suppression | undefined;
  misconfig(m: Misconfiguration): Suppression | undefined;
  readonly size: number;
}

/** Per-kind suppression lookups for the human reports, over the same keys as verdictIndex. */
export function suppressionIndex(verdict: Verdict | undefined): SuppressionIndex {
  const idx = verdictIndex(verdict);
  const of = (kind: ReportFinding['kind'], refIds: readonly string[]): Suppression | undefined =>
    // Only `kind` and `refIds` take part in the lookup.
    idx.of({ kind, refIds } as ReportFinding).suppression;
  return {
    vuln: (f) => of('vuln', vulnRefIds(f)),
    secret: (s) => of('secret', [secretRefId(s)]),
    malware: (m) => of('malware', [malwareRefId(m)]),
    misconfig: (m) => of('misconfig', misconfigRefIds(m)),
    size: new Set((verdict?.suppressed ?? []).map((s) => `${s.finding.kind}\0${s.finding.id}`)).size,
  };
}

/** "exception: accepted until the base image is rebuilt (owner team-a, expires 2026-03-01)" */
export function describeSuppression(s: Suppression): string {
  const extra = [s.owner ? `owner ${s.owner}` : '', s.expires ? `expires ${s.expires}` : ''].filter(Boolean).join(', ');
  const vex = s.vex ? ` [VEX ${s.vex.status}${s.vex.justification ? `: ${s.vex.justification}` : ''}]` : '';
  return `${s.by}: ${s.reason}${vex}${extra ? ` (${extra})` : ''}`;
}
