/**
 * The gate's judgement: one scan result judged by the Trivy/Grype-style flags, an
 * ignore file, and the policies with their exceptions and VEX documents. Pure (no I/O),
 * so the CLI, the server, the admission webhook and the sensor decide alike. A failed
 * gate is a Verdict (status "fail"), never an exception.
 *
 * Order (docs/gate.md "How a verdict is reached"):
 *  0. an OS package database customs could not read fails the verdict unless the policy's
 *     `unknowns.packageDatabases` says warn or ignore (packageDatabaseOutcomes);
 *  1. filters, as Trivy and Grype apply them before anything is reported:
 *     --severity LIST keeps findings of those severities, --ignore-unfixed drops
 *     vulnerabilities without a fixed version;
 *  2. --ignorefile entries suppress matching findings (kept visible as suppressed); an entry
 *     past its exp: date no longer applies and is listed as an expired exception;
 *  3. the policies (with their exceptions and the VEX documents) judge what is left;
 *  4. the implicit rules of the flags: --fail-on SEVERITY (Grype) fails on a vulnerability at
 *     or above it; with neither --policy nor --fail-on, any finding left fails (Trivy's
 *     --exit-code behaviour).
 * Every step walks the findings of the result model (findingsOf / mapFindings), whatever their kind.
 */
import { PACKAGE_DATABASE_ANALYZERS } from '../analyze/index.js';
import { CustomsError, isAtLeast, SEVERITIES, type Severity } from '../core/index.js';
import type { VulnFinding } from '../match/index.js';
import {
  describeFinding,
  type Finding,
  findingRef,
  findingsOf,
  mapFindings,
  type ScanResult,
} from '../result/index.js';
import { type IgnoreEntry, isIgnoreExpired } from './ignorefile.js';
import { upgradeTargets } from './remediation.js';
import type { UnknownAction } from './schema.js';
import type { ExpiredException, Remediation, RuleOutcome, Suppression, Verdict, VerdictStatus } from './types.js';

/** `source` of the rules and suppressions that come from flags. */
export const COMMAND_LINE = 'command line';
export const FAIL_ON_RULE = 'cli.fail-on';
export const ANY_FINDING_RULE = 'cli.any-finding';
export const PACKAGE_DATABASE_RULE = 'unknowns.packageDatabases';
/** `source` of the package-database rule when no policy file sets it. */
export const DEFAULT_SOURCE = 'customs default';

/** The policy stage as the gate calls it; judge() stays independent of how policies are loaded. */
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
  /** What an unreadable OS package database does (policy `unknowns.packageDatabases`); fail when absent. */
  readonly packageDatabaseUnknowns?: { readonly action: UnknownAction; readonly source: string };
}

export interface GateOutcome {
  /** The result after the filters (step 1): what reports show, suppressed findings included. */
  readonly result: ScanResult;
  readonly verdict: Verdict;
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

/** Step 1, as one predicate: --severity and --ignore-unfixed. */
function passesFilters(rules: GateRules): (f: Finding) => boolean {
  const sev = rules.severities ? new Set<string>(rules.severities) : undefined;
  return (f) => (sev === undefined || sev.has(f.severity)) && !(rules.ignoreUnfixed === true && f.unfixed);
}

/** Step 1: --severity and --ignore-unfixed. Sections of scanners that did not run stay absent. */
export function filterResult(r: ScanResult, rules: GateRules): ScanResult {
  return mapFindings(r, passesFilters(rules));
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
  const result = mapFindings(r, (f) => {
    const e = f.ruleIds.map((id) => active.get(id)).find((x) => x !== undefined);
    if (!e) return true;
    suppressed.push({
      finding: findingRef(f),
      by: 'ignorefile',
      reason: e.reason,
      ...(e.expires !== undefined ? { expires: e.expires } : {}),
    });
    return false;
  });
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
    const limit = rules.failOn;
    // Grype's --fail-on judges vulnerabilities only; an unrated one meets no threshold.
    const hits = r.vulnerabilities.filter((f) => f.severity !== 'unknown' && isAtLeast(f.severity, limit));
    if (hits.length === 0) return { outcomes: [], remediation: [] };
    return {
      outcomes: [
        {
          ruleId: FAIL_ON_RULE,
          action: 'fail',
          message: `vulnerabilities of severity ${limit} or above are not allowed (--fail-on ${limit})`,
          source: COMMAND_LINE,
          findings: hits.map((f) => findingRef(describeFinding('vuln', f))),
        },
      ],
      remediation: upgradesFor(hits, FAIL_ON_RULE),
    };
  }
  if (rules.policy !== undefined) return { outcomes: [], remediation: [] };
  const refs = findingsOf(r).map((f) => findingRef(f));
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

/**
 * An OS package database customs could not read leaves the image's OS packages,
 * and so its vulnerabilities, unknown: a gate that passed it would vouch for
 * what it never saw. One outcome per unreadable database, failing unless the
 * policy says `warn` or `ignore`.
 */
export function packageDatabaseOutcomes(r: ScanResult, rules: GateRules): RuleOutcome[] {
  const { action, source } = rules.packageDatabaseUnknowns ?? { action: 'fail', source: DEFAULT_SOURCE };
  if (action === 'ignore') return [];
  return r.inventory.unknowns
    .filter((u) => PACKAGE_DATABASE_ANALYZERS.includes(u.analyzer))
    .map((u) => ({
      ruleId: PACKAGE_DATABASE_RULE,
      action,
      message: `package database unreadable: /${u.path}: ${u.message}`,
      source,
      findings: [
        {
          kind: 'unknown',
          id: `${u.analyzer}@${u.path}@${u.layer}`,
          summary: `/${u.path} (${u.code}, layer ${u.layer})`,
        },
      ],
    }));
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
 * Judge a scan result. `notes` are the caller's (e.g. "this is a saved scan"), listed
 * before the policy's.
 */
export function judge(scan: ScanResult, rules: GateRules, now: Date, notes: readonly string[] = []): GateOutcome {
  const filtered = filterResult(scan, rules);
  const ignored = applyIgnoreFile(filtered, rules.ignore, now);
  const policy = rules.policy ? rules.policy(ignored.result, now) : EMPTY_VERDICT;
  const flags = flagRules(ignored.result, rules);
  const all = [...packageDatabaseOutcomes(scan, rules), ...policy.rules, ...flags.outcomes];
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
