/**
 * `customs gate`: one scan result (an image or SBOM scanned now, or a saved scan JSON)
 * judged by policy files, VEX documents and the Trivy/Grype-style flags. A failed gate
 * is a Verdict (status "fail"), never an exception; errors mean "could not decide".
 *
 * Order (docs/gate.md "How a verdict is reached"):
 *  1. filters, as Trivy and Grype apply them before anything is reported:
 *     --severity LIST keeps findings of those severities, --ignore-unfixed drops
 *     vulnerabilities without a fixed version;
 *  2. --ignorefile entries suppress matching findings (kept visible as suppressed); an entry
 *     past its exp: date no longer applies and is listed as an expired exception;
 *  3. the policies (with their exceptions and the VEX documents) judge what is left;
 *  4. the implicit rules of the flags: --fail-on SEVERITY (Grype) fails on a vulnerability at
 *     or above it; with neither --policy nor --fail-on, any finding left fails (Trivy's
 *     --exit-code behaviour).
 */
import { readFile, stat } from 'node:fs/promises';
import { baseImageLine, type Misconfiguration } from '../checks/index.js';
import { type Context, CustomsError } from '../core/index.js';
import type { VulnFinding } from '../match/index.js';
import {
  type ExpiredException,
  type FindingRef,
  malwareRefId,
  misconfigRefId,
  type Remediation,
  type RuleOutcome,
  secretRefId,
  type Suppression,
  upgradeTargets,
  type Verdict,
  type VerdictStatus,
  vulnRefId,
} from '../policy/index.js';
import type { MalwareFinding, SecretFinding } from '../report/index.js';
import { SEVERITIES, type Severity } from '../vulndb/index.js';
import { type IgnoreEntry, isIgnoreExpired, parseIgnoreFile } from './ignorefile.js';
import { isSbomFile, type ScanOptions, type ScanResult, scanImage, scanSbom } from './scan-image.js';
import { isScanResultJson, parseScanResultJson } from './scan-result-json.js';

/** `source` of the rules and suppressions that come from flags. */
export const COMMAND_LINE = 'command line';
export const FAIL_ON_RULE = 'cli.fail-on';
export const ANY_FINDING_RULE = 'cli.any-finding';

/** What the policy stage is given; gate.ts stays independent of how policies are loaded. */
export type PolicyEvaluator = (result: ScanResult, now: Date) => Verdict;

export interface GateRules {
  /** --severity: the severities that count (all when absent). */
  readonly severities?: readonly Severity[];
  /** --ignore-unfixed */
  readonly ignoreUnfixed?: boolean;
  /** --fail-on (Grype): fail on a vulnerability of this severity or above. */
  readonly failOn?: Severity;
  /** --ignorefile, parsed, and the file it came from. */
  readonly ignore?: { readonly file: string; readonly entries: readonly IgnoreEntry[] };
  /** The policies and VEX documents, when --policy was given. */
  readonly policy?: PolicyEvaluator;
}

export interface GateOutcome {
  /** The result after the filters (step 1): what reports show, suppressed findings included. */
  readonly result: ScanResult;
  readonly verdict: Verdict;
}

/** Severity rank, highest first (critical = 0); "unknown" ranks below low. */
const rank = (s: string): number => {
  const i = (SEVERITIES as readonly string[]).indexOf(s);
  return i < 0 ? SEVERITIES.length : i;
};

/** "--severity HIGH,critical" → ['critical', 'high'] (Trivy spells them upper case; both are accepted). */
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
  return [...out].sort((a, b) => rank(a) - rank(b));
}

/** Grype's --fail-on: negligible|low|medium|high|critical. customs has no "negligible" (it rates those low). */
export function parseFailOn(text: string): Severity {
  const s = text.trim().toLowerCase();
  if (s === 'negligible') return 'low';
  if (s !== 'unknown' && (SEVERITIES as readonly string[]).includes(s)) return s as Severity;
  throw new CustomsError(
    'USAGE_BAD_FLAG',
    `--fail-on: "${text}" is not one of negligible, low, medium, high, critical`,
  );
}

// FindingRef IDs follow src/policy/types.ts (and report/'s lookup of suppressed findings).
const vulnRef = (f: VulnFinding): FindingRef => ({
  kind: 'vuln',
  id: vulnRefId(f.id, f.packageId),
  summary: `${f.id} in ${f.package.name} ${f.installedVersion} (${f.severity}${f.fixedVersions.length > 0 ? `, fixed in ${f.fixedVersions.join(', ')}` : ', no fix'})`,
});
const secretRef = (s: SecretFinding): FindingRef => ({
  kind: 'secret',
  id: secretRefId(s),
  summary: `${s.title} in ${s.location}${s.line !== undefined ? `:${s.line}` : ''} (${s.severity})`,
});
const misconfigRef = (m: Misconfiguration): FindingRef => ({
  kind: 'misconfig',
  id: misconfigRefId(m),
  summary: `${m.checkId} ${m.title}: ${m.message} (${m.severity})`,
});
const malwareRef = (m: MalwareFinding): FindingRef => ({
  kind: 'malware',
  id: malwareRefId(m),
  summary: `${m.title} in ${m.path} (${m.severity})`,
});

/** Every finding of a result as a FindingRef, in report order. */
function allRefs(r: ScanResult): FindingRef[] {
  return [
    ...r.vulnerabilities.map(vulnRef),
    ...(r.secrets ?? []).map(secretRef),
    ...(r.misconfigurations ?? []).map(misconfigRef),
    ...(r.malware ?? []).map(malwareRef),
  ];
}

/** Step 1: --severity and --ignore-unfixed. Sections of scanners that did not run stay absent. */
export function filterResult(r: ScanResult, rules: GateRules): ScanResult {
  const sev = rules.severities ? new Set<string>(rules.severities) : undefined;
  const keep = (s: string): boolean => sev === undefined || sev.has(s);
  return {
    ...r,
    vulnerabilities: r.vulnerabilities.filter(
      (f) => keep(f.severity) && !(rules.ignoreUnfixed && f.fixedVersions.length === 0),
    ),
    ...(r.secrets ? { secrets: r.secrets.filter((s) => keep(s.severity)) } : {}),
    ...(r.misconfigurations ? { misconfigurations: r.misconfigurations.filter((m) => keep(m.severity)) } : {}),
    ...(r.malware ? { malware: r.malware.filter((m) => keep(m.severity)) } : {}),
  };
}

interface IgnoreApplied {
  readonly result: ScanResult;
  readonly suppressed: Suppression[];
  readonly expired: ExpiredException[];
}

/** Step 2: drop ignored findings from what the rules see; record each as suppressed. */
export function applyIgnoreFile(r: ScanResult, ignore: GateRules['ignore'], now: Date): IgnoreApplied {
  if (!ignore || ignore.entries.length === 0) return { result: r, suppressed: [], expired: [] };
  const active = new Map<string, IgnoreEntry>();
  const expired: ExpiredException[] = [];
  for (const e of ignore.entries) {
    if (isIgnoreExpired(e, now)) {
      expired.push({ id: e.id, reason: e.reason, expired: e.expires ?? '', source: `${ignore.file}:${e.line}` });
    } else if (!active.has(e.id)) {
      active.set(e.id, e);
    }
  }
  const suppressed: Suppression[] = [];
  const hit = (ids: readonly string[], ref: FindingRef): boolean => {
    const e = ids.map((id) => active.get(id)).find((x) => x !== undefined);
    if (!e) return false;
    suppressed.push({
      finding: ref,
      by: 'ignorefile',
      reason: e.reason,
      ...(e.expires !== undefined ? { expires: e.expires } : {}),
    });
    return true;
  };
  const result: ScanResult = {
    ...r,
    vulnerabilities: r.vulnerabilities.filter((f) => !hit([f.id, ...f.aliases], vulnRef(f))),
    ...(r.secrets ? { secrets: r.secrets.filter((s) => !hit([s.ruleId], secretRef(s))) } : {}),
    ...(r.misconfigurations
      ? { misconfigurations: r.misconfigurations.filter((m) => !hit([m.checkId], misconfigRef(m))) }
      : {}),
    ...(r.malware ? { malware: r.malware.filter((m) => !hit([m.ruleId], malwareRef(m))) } : {}),
  };
  return { result, suppressed, expired };
}

/** Upgrades that clear a flag rule: the policy engine's upgrade choice, each clearing that rule. */
function upgradesFor(findings: readonly VulnFinding[], ruleId: string): Remediation[] {
  return upgradeTargets(findings, undefined).map((t) => ({
    package: t.finding.package.name,
    from: t.finding.installedVersion,
    to: t.to,
    how: t.how,
    clears: [ruleId],
  }));
}

/** Step 4: the rules the flags imply. */
function flagRules(r: ScanResult, rules: GateRules): { outcomes: RuleOutcome[]; remediation: Remediation[] } {
  if (rules.failOn !== undefined) {
    const limit = rank(rules.failOn);
    const hits = r.vulnerabilities.filter((f) => f.severity !== 'unknown' && rank(f.severity) <= limit);
    if (hits.length === 0) return { outcomes: [], remediation: [] };
    return {
      outcomes: [
        {
          ruleId: FAIL_ON_RULE,
          action: 'fail',
          message: `vulnerabilities of severity ${rules.failOn} or above are not allowed (--fail-on ${rules.failOn})`,
          source: COMMAND_LINE,
          findings: hits.map(vulnRef),
        },
      ],
      remediation: upgradesFor(hits, FAIL_ON_RULE),
    };
  }
  if (rules.policy !== undefined) return { outcomes: [], remediation: [] };
  const refs = allRefs(r);
  if (refs.length === 0) return { outcomes: [], remediation: [] };
  const which = rules.severities ? ` of severity ${rules.severities.join(', ')}` : '';
  return {
    outcomes: [
      {
        ruleId: ANY_FINDING_RULE,
        action: 'fail',
        message: `no finding${which} is allowed (no --policy or --fail-on given: any finding left after the filters fails, like trivy --exit-code)`,
        source: COMMAND_LINE,
        findings: refs,
      },
    ],
    remediation: upgradesFor(r.vulnerabilities, ANY_FINDING_RULE),
  };
}

const EMPTY_VERDICT: Verdict = {
  status: 'pass',
  rules: [],
  suppressed: [],
  expiredExceptions: [],
  remediation: [],
  policies: [],
};

function statusOf(rules: readonly RuleOutcome[]): VerdictStatus {
  if (rules.some((r) => r.action === 'fail')) return 'fail';
  return rules.length > 0 ? 'warn' : 'pass';
}

/**
 * Judge a scan result: pure (no I/O), so the server and admission can call it too.
 * `notes` are the caller's (e.g. "this is a saved scan"), listed before the policy's.
 */
export function judge(scan: ScanResult, rules: GateRules, now: Date, notes: readonly string[] = []): GateOutcome {
  const filtered = filterResult(scan, rules);
  const ignored = applyIgnoreFile(filtered, rules.ignore, now);
  const policy = rules.policy ? rules.policy(ignored.result, now) : EMPTY_VERDICT;
  const flags = flagRules(ignored.result, rules);
  const all = [...policy.rules, ...flags.outcomes];
  const usesFlags =
    flags.outcomes.length > 0 || rules.failOn !== undefined || rules.policy === undefined || rules.ignore !== undefined;
  const verdict: Verdict = {
    status: statusOf(all),
    rules: all,
    suppressed: [...ignored.suppressed, ...policy.suppressed],
    expiredExceptions: [...ignored.expired, ...policy.expiredExceptions],
    remediation: [...policy.remediation, ...flags.remediation],
    policies: [...policy.policies, ...(usesFlags ? [COMMAND_LINE] : [])],
    ...(notes.length + (policy.notes?.length ?? 0) > 0 ? { notes: [...notes, ...(policy.notes ?? [])] } : {}),
  };
  return { result: filtered, verdict };
}

/** Read a file the gate was given; a missing one is an input error (exit 3) naming the flag. */
export async function readGateFile(flag: string, file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new CustomsError('GATE_INPUT_NOT_FOUND', `${flag} ${file}: ${why}`, e);
  }
}

/** Why a gate on a saved scan may decide less (docs/gate.md "What a gate on a saved scan can and cannot check"). */
export const SAVED_SCAN_NOTE =
  'gated a saved scan result: it lists vulnerable packages only and no image config or layers, so package rules see only vulnerable packages and image rules cannot be decided (docs/gate.md)';

/** Read --ignorefile. */
export async function loadIgnoreFile(file: string): Promise<NonNullable<GateRules['ignore']>> {
  return { file, entries: parseIgnoreFile(await readGateFile('--ignorefile', file), file) };
}

/** True when `path` is a JSON file holding a saved scan result (not an SBOM). */
async function savedScan(path: string): Promise<ScanResult | undefined> {
  const st = await stat(path).catch(() => undefined);
  if (!st?.isFile() || !(await isSbomFile(path))) return undefined;
  const text = await readFile(path, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return undefined; // not JSON after all: let the SBOM reader say what is wrong
  }
  return isScanResultJson(value) ? parseScanResultJson(text, path) : undefined;
}

/**
 * What to gate: a saved scan result JSON (detected by schemaVersion + vulnerabilities +
 * scanners), an SBOM file, or an image scanned now.
 */
export async function gateInput(
  target: string,
  ctx: Context,
  opts: ScanOptions = {},
): Promise<{ result: ScanResult; saved: boolean }> {
  const saved = await savedScan(target);
  if (saved) return { result: saved, saved: true };
  if (await isSbomFile(target)) return { result: await scanSbom(target, ctx, opts), saved: false };
  return { result: await scanImage(target, ctx, opts), saved: false };
}

/** `--dockerfile PATH`: where report locations of base-image findings point (its final FROM line). */
export async function dockerfileLocation(path: string): Promise<{ path: string; fromLine?: number }> {
  const line = baseImageLine(await readGateFile('--dockerfile', path), path);
  return line === undefined ? { path } : { path, fromLine: line };
}
