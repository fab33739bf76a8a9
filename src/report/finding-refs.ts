/**
 * What a Verdict says about each finding, for every report writer (SARIF, JUnit,
 * GitLab, CycloneDX VEX, HTML, Markdown, table): suppressed (and why), the rules it
 * failed or warned, and its remediation. Findings are the result model's
 * (src/result/findings.ts): a verdict names them by FindingRef kind and ID, and a
 * finding answers to any of its refIds (a vulnerability's aliases, a bare check ID).
 */
import { isAtLeast } from '../core/index.js';
import type { MalwareFinding, SecretFinding } from '../analyze/index.js';
import type { Misconfiguration } from '../checks/index.js';
import type { VulnFinding } from '../match/index.js';
import type { Remediation, RuleAction, Suppression, Verdict } from '../policy/index.js';
import { describeFinding, type Finding, type ScanResult } from '../result/index.js';

/** Options every machine-readable writer takes. */
export interface MachineReportOptions {
  readonly verdict?: Verdict;
  /** The Dockerfile the image was built from, repository-relative, and the line of its (last) FROM. */
  readonly dockerfile?: { readonly path: string; readonly fromLine?: number };
}

/** What the verdict says about one finding. */
export interface FindingVerdict {
  readonly suppression?: Suppression;
  /** Policy rules whose findings include this one. */
  readonly rules: readonly { readonly ruleId: string; readonly action: RuleAction; readonly message: string }[];
}

export interface VerdictIndex {
  of(f: Pick<Finding, 'kind' | 'refIds'>): FindingVerdict;
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
export function failsGate(f: Finding, fv: FindingVerdict, verdict: Verdict | undefined): boolean {
  if (fv.suppression) return false;
  if (verdict) return fv.rules.some((r) => r.action === 'fail');
  return isAtLeast(f.severity, 'high');
}

/** Whether the layer is the image's first (base) layer. */
export function isBaseLayer(result: ScanResult, layer: string | undefined): boolean {
  const first = result.inventory.target.layers[0]?.diffID;
  return layer !== undefined && first !== undefined && layer === first;
}

/**
 * How to fix a vulnerability, in words: the fixed version, rebuilding on a
 * newer base image when the package came with the base layer, and the
 * verdict's remediation for the package.
 */
export function vulnRemediation(result: ScanResult, v: VulnFinding, verdict: Verdict | undefined): string | undefined {
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
  of(f: Pick<Finding, 'kind' | 'refIds'>): Suppression | undefined;
  vuln(f: VulnFinding): Suppression | undefined;
  secret(s: SecretFinding): Suppression | undefined;
  malware(m: MalwareFinding): Suppression | undefined;
  misconfig(m: Misconfiguration): Suppression | undefined;
  readonly size: number;
}

/** Suppression lookups for the human reports, over the same keys as verdictIndex. */
export function suppressionIndex(verdict: Verdict | undefined): SuppressionIndex {
  const idx = verdictIndex(verdict);
  const of = (f: Pick<Finding, 'kind' | 'refIds'>): Suppression | undefined => idx.of(f).suppression;
  return {
    of,
    // The per-section lookups of the table, HTML and Markdown writers, which render each section.
    vuln: (f) => of(describeFinding('vuln', f)),
    secret: (s) => of(describeFinding('secret', s)),
    malware: (m) => of(describeFinding('malware', m)),
    misconfig: (m) => of(describeFinding('misconfig', m)),
    size: new Set((verdict?.suppressed ?? []).map((s) => `${s.finding.kind}\0${s.finding.id}`)).size,
  };
}

/** "exception: accepted until the base image is rebuilt (owner team-a, expires 2026-03-01)" */
export function describeSuppression(s: Suppression): string {
  const extra = [s.owner ? `owner ${s.owner}` : '', s.expires ? `expires ${s.expires}` : ''].filter(Boolean).join(', ');
  const vex = s.vex ? ` [VEX ${s.vex.status}${s.vex.justification ? `: ${s.vex.justification}` : ''}]` : '';
  return `${s.by}: ${s.reason}${vex}${extra ? ` (${extra})` : ''}`;
}
