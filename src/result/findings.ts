/**
 * The Finding union: every finding of a ScanResult seen one way, whatever scanner made
 * it. This file is the only place that knows which section of a ScanResult holds which
 * kind and how each kind names itself; every stage (filters, the ignore file, policy
 * rules, exceptions and VEX, report indexing, every writer) goes through findingsOf /
 * mapFindings and the common fields below. A new kind of finding is one entry in
 * FINDING_KINDS (plus its producer, and whatever its writers render beyond the common
 * fields): docs/architecture.md "Adding a finding kind".
 */
import type { MalwareFinding, SecretFinding } from '../analyze/index.js';
import type { Misconfiguration } from '../checks/index.js';
import type { Severity } from '../core/index.js';
import type { VulnFinding } from '../match/index.js';
import type { ScanResult } from './scan-result.js';

/** How a verdict names one finding (policy Verdicts, suppressions, report lookups). */
export interface FindingRef {
  /** vuln | secret | misconfig | malware (findings); package | image | cel (policy rules' own). */
  readonly kind: string;
  /** Stable ID of the finding within its kind: "CVE-2023-38545@<packageId>", "aws-access-key-id@app/.env:3". */
  readonly id: string;
  /** One line for humans: "CVE-2023-38545 in curl 7.88.1-10 (high, fixed in 7.88.1-10+deb12u4)". */
  readonly summary: string;
}

/** What every finding has, whatever its kind. */
export interface FindingFields<K extends string = string> {
  readonly kind: K;
  /** The scanner that makes it, as `--scanners` names it. */
  readonly scanner: string;
  /** Its FindingRef ID (below: vulnRefId, secretRefId, misconfigRefId, malwareRefId). */
  readonly id: string;
  /** Every ref ID a policy, exception or VEX may use for it (a vulnerability's aliases, a bare check ID). */
  readonly refIds: readonly string[];
  /** The advisory, check or rule ID it reports under. */
  readonly ruleId: string;
  /** The IDs an ignore-file line may name (a vulnerability's aliases too). */
  readonly ruleIds: readonly string[];
  readonly severity: Severity;
  /** A vulnerability no version fixes yet (--ignore-unfixed); false for the other kinds. */
  readonly unfixed: boolean;
  /** One line for reports: "CVE-… in curl 7.88.1-10: title", "AWS key in app/.env:3". */
  readonly title: string;
  /** The FindingRef summary of the gate's own rules (--fail-on, any finding). */
  readonly summary: string;
  /** The FindingRef summary of policy rules: with the evidence (redacted match, detail). */
  readonly ruleSummary: string;
  /** Files it is about (exceptions match them). */
  readonly paths: readonly string[];
  /** Packages it is about (exceptions and VEX match them). */
  readonly packages: readonly { readonly name: string; readonly version: string; readonly purl: string }[];
}

export type Finding =
  | (FindingFields<'vuln'> & { readonly vuln: VulnFinding })
  | (FindingFields<'secret'> & { readonly secret: SecretFinding })
  | (FindingFields<'misconfig'> & { readonly misconfig: Misconfiguration })
  | (FindingFields<'malware'> & { readonly malware: MalwareFinding });

export type FindingKindName = Finding['kind'];

/** A vulnerability at a package: "CVE-2023-38545@<packageId>" (any alias may stand for the ID). */
export const vulnRefId = (id: string, packageId: string): string => `${id}@${packageId}`;

/** A secret: "<ruleId>@<location>[:<line>]". */
export const secretRefId = (s: {
  readonly ruleId: string;
  readonly location: string;
  readonly line?: number;
}): string => `${s.ruleId}@${s.location}${s.line !== undefined ? `:${s.line}` : ''}`;

/** A misconfiguration: "<checkId>@<path>:<line>", or "<checkId>@<target>" without a location. */
export const misconfigRefId = (m: {
  readonly checkId: string;
  readonly target: string;
  readonly location?: { readonly path: string; readonly startLine: number };
}): string => `${m.checkId}@${m.location ? `${m.location.path}:${m.location.startLine}` : m.target}`;

/** A malware indicator: "<ruleId>@<path>". */
export const malwareRefId = (m: { readonly ruleId: string; readonly path: string }): string => `${m.ruleId}@${m.path}`;

/** One kind of finding: where a ScanResult keeps it and how it describes itself. */
export interface FindingKind<T = unknown> {
  readonly kind: string;
  /** The section; undefined when its scanner did not run (the section is then absent, not empty). */
  read(r: ScanResult): readonly T[] | undefined;
  /** The result with the section replaced (called only for a section that is present). */
  write(r: ScanResult, items: readonly T[]): ScanResult;
  describe(item: T): Finding;
}

const fixedIn = (f: VulnFinding, sep: string): string =>
  f.fixedVersions.length > 0 ? `, fixed in ${f.fixedVersions.join(sep)}` : '';
const at = (s: SecretFinding): string => (s.line !== undefined ? `${s.location}:${s.line}` : s.location);

const vulnKind: FindingKind<VulnFinding> = {
  kind: 'vuln',
  read: (r) => r.vulnerabilities,
  write: (r, vulnerabilities) => ({ ...r, vulnerabilities }),
  describe: (f) => ({
    kind: 'vuln',
    scanner: 'vuln',
    id: vulnRefId(f.id, f.packageId),
    refIds: [f.id, ...f.aliases].map((id) => vulnRefId(id, f.packageId)),
    ruleId: f.id,
    ruleIds: [f.id, ...f.aliases],
    severity: f.severity,
    unfixed: f.fixedVersions.length === 0,
    title: `${f.id} in ${f.package.name} ${f.installedVersion}${f.title ? `: ${f.title}` : ''}`,
    summary: `${f.id} in ${f.package.name} ${f.installedVersion} (${f.severity}${fixedIn(f, ', ') || ', no fix'})`,
    ruleSummary: `${f.id} in ${f.package.name} ${f.installedVersion} (${f.severity}${fixedIn(f, ' | ')})`,
    paths: f.paths,
    packages: [{ name: f.package.name, version: f.installedVersion, purl: f.package.purl }],
    vuln: f,
  }),
};

const secretKind: FindingKind<SecretFinding> = {
  kind: 'secret',
  read: (r) => r.secrets,
  write: (r, secrets) => ({ ...r, secrets }),
  describe: (s) => ({
    kind: 'secret',
    scanner: 'secret',
    id: secretRefId(s),
    refIds: [secretRefId(s)],
    ruleId: s.ruleId,
    ruleIds: [s.ruleId],
    severity: s.severity,
    unfixed: false,
    title: `${s.title} in ${at(s)}`,
    summary: `${s.title} in ${at(s)} (${s.severity})`,
    ruleSummary: `${s.title} (${s.severity}) in ${at(s)}: ${s.match}`,
    paths: s.path !== undefined ? [s.path] : [],
    packages: [],
    secret: s,
  }),
};

const misconfigKind: FindingKind<Misconfiguration> = {
  kind: 'misconfig',
  read: (r) => r.misconfigurations,
  write: (r, misconfigurations) => ({ ...r, misconfigurations }),
  describe: (m) => ({
    kind: 'misconfig',
    scanner: 'misconfig',
    id: misconfigRefId(m),
    // A bare check ID names the check wherever it fires.
    refIds: [misconfigRefId(m), m.checkId],
    ruleId: m.checkId,
    ruleIds: [m.checkId],
    severity: m.severity,
    unfixed: false,
    title: `${m.title}: ${m.message}`,
    summary: `${m.checkId} ${m.title}: ${m.message} (${m.severity})`,
    ruleSummary: `${m.checkId} ${m.title} (${m.severity}): ${m.message}`,
    paths: m.location !== undefined ? [m.location.path] : [],
    packages: [],
    misconfig: m,
  }),
};

const malwareKind: FindingKind<MalwareFinding> = {
  kind: 'malware',
  read: (r) => r.malware,
  write: (r, malware) => ({ ...r, malware }),
  describe: (m) => ({
    kind: 'malware',
    scanner: 'malware',
    id: malwareRefId(m),
    refIds: [malwareRefId(m)],
    ruleId: m.ruleId,
    ruleIds: [m.ruleId],
    severity: m.severity,
    unfixed: false,
    title: `${m.title} in ${m.path}`,
    summary: `${m.title} in ${m.path} (${m.severity})`,
    ruleSummary: `${m.title} (${m.severity}) in ${m.path}: ${m.detail}`,
    paths: [m.path],
    packages: [],
    malware: m,
  }),
};

/**
 * Every kind, in report order. Licences are not here: the licence scanner makes a
 * summary (LicenseReport), not findings, and no rule judges a licence as a finding;
 * docs/adr/0006-result-model-and-engine.md.
 */
export const FINDING_KINDS: readonly FindingKind[] = [
  vulnKind as FindingKind,
  secretKind as FindingKind,
  misconfigKind as FindingKind,
  malwareKind as FindingKind,
];

/** Every finding of a result, in report order (kinds in FINDING_KINDS order, each section in its own). */
export function findingsOf(r: ScanResult): Finding[] {
  return FINDING_KINDS.flatMap((k) => (k.read(r) ?? []).map((item) => k.describe(item)));
}

/**
 * The result with only the findings `keep` accepts; sections of scanners that did not
 * run stay absent, everything else (inventory, notes, licences, config) is unchanged.
 */
export function mapFindings(r: ScanResult, keep: (f: Finding) => boolean): ScanResult {
  let out = r;
  for (const k of FINDING_KINDS) {
    const items = k.read(r);
    if (items !== undefined)
      out = k.write(
        out,
        items.filter((item) => keep(k.describe(item))),
      );
  }
  return out;
}

/** A finding as a FindingRef, with the gate's summary or a policy rule's. */
export function findingRef(f: Finding, summary: 'summary' | 'ruleSummary' = 'summary'): FindingRef {
  return { kind: f.kind, id: f.id, summary: f[summary] };
}

/** What each kind's section holds. */
export interface FindingPayloads {
  readonly vuln: VulnFinding;
  readonly secret: SecretFinding;
  readonly misconfig: Misconfiguration;
  readonly malware: MalwareFinding;
}

/** One item of a section as a Finding (for code that walks one section, e.g. a writer's table). */
export function describeFinding<K extends keyof FindingPayloads>(kind: K, item: FindingPayloads[K]): Finding {
  const k = FINDING_KINDS.find((x) => x.kind === kind);
  if (k === undefined) throw new Error(`no finding kind "${kind}" in FINDING_KINDS`);
  return k.describe(item);
}
