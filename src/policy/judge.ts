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
 *  2. one suppression pass (suppress.ts): --ignorefile entries, the policies' exceptions and
 *     the --vex documents take the findings they cover out (kept visible as suppressed); an
 *     entry or exception past its date no longer applies and is listed as expired. This runs
 *     before every rule, so a VEX statement clears a finding for --fail-on as for a policy;
 *  3. the policies' rules judge what is left;
 *  4. the implicit rules of the flags judge the same: --fail-on SEVERITY (Grype) fails on a
 *     vulnerability at or above it; with neither --policy nor --fail-on, any finding left
 *     fails (Trivy's --exit-code behaviour). Exceptions scoped to one of these rules
 *     (`rules: [cli.fail-on]`) apply to it as to a policy rule.
 * Every step walks the findings of the result model (findingsOf / mapFindings), whatever their kind.
 */
import { PACKAGE_DATABASE_ANALYZERS } from '../analyze/index.js';
import { CustomsError, isAtLeast, SEVERITIES, type Severity } from '../core/index.js';
import type { VulnFinding } from '../match/index.js';
import { type Finding, findingRef, findingsOf, mapFindings, type ScanResult } from '../result/index.js';
import { evaluatePolicy } from './evaluate-policy.js';
import { imageNames } from './exceptions.js';
import type { IgnoreEntry } from './ignorefile.js';
import type { Policy } from './policy-model.js';
import { upgradeTargets } from './remediation.js';
import type { UnknownAction } from './schema.js';
import {
  exceptionFor,
  exceptionSuppression,
  hitOf,
  type SuppressionOutcome,
  sortSuppressions,
  suppressFindings,
} from './suppress.js';
import type { Remediation, RuleOutcome, Suppression, Verdict, VerdictStatus } from './types.js';
import type { VexDocument } from './vex.js';

/** `source` of the rules and suppressions that come from flags. */
export const COMMAND_LINE = 'command line';
export const FAIL_ON_RULE = 'cli.fail-on';
export const ANY_FINDING_RULE = 'cli.any-finding';
export const PACKAGE_DATABASE_RULE = 'unknowns.packageDatabases';
/** `source` of the package-database rule when no policy file sets it. */
export const DEFAULT_SOURCE = 'customs default';

export interface GateRules {
  /** --severity: the severities that count (all when absent). */
  readonly severities?: readonly Severity[];
  /** --ignore-unfixed */
  readonly ignoreUnfixed?: boolean;
  /** --fail-on (Grype): fail on a vulnerability of this severity or above. */
  readonly failOn?: Severity;
  /** --ignorefile, parsed, and the file it came from. */
  readonly ignore?: { readonly file: string; readonly entries: readonly IgnoreEntry[] };
  /** --vex documents: they apply to every rule, with or without --policy. */
  readonly vex?: readonly VexDocument[];
  /** The loaded policies (loadPolicies), when --policy was given: their rules and exceptions. */
  readonly policy?: Policy;
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

/** Step 2 alone: what the suppression pass takes out of a filtered result before the rules read it. */
export function applySuppressions(r: ScanResult, rules: GateRules, now: Date): SuppressionOutcome {
  return suppressFindings(
    r,
    {
      ...(rules.ignore !== undefined ? { ignore: rules.ignore } : {}),
      ...(rules.policy !== undefined ? { exceptions: rules.policy.exceptions } : {}),
      ...(rules.vex !== undefined ? { vex: rules.vex } : {}),
    },
    now,
  );
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

interface FlagRules {
  readonly outcomes: RuleOutcome[];
  readonly remediation: Remediation[];
  readonly suppressed: Suppression[];
}

/** A flag rule's findings, less those an exception scoped to that rule covers. */
function scopedExceptions(
  found: readonly Finding[],
  ruleId: string,
  rules: GateRules,
  images: readonly string[],
  now: Date,
  suppressed: Suppression[],
): Finding[] {
  const scoped = (rules.policy?.exceptions ?? []).filter((e) => e.spec.rules?.includes(ruleId) === true);
  if (scoped.length === 0) return [...found];
  return found.filter((f) => {
    const hit = hitOf(f);
    const ex = exceptionFor(scoped, hit, ruleId, images, now);
    if (ex !== undefined) suppressed.push(exceptionSuppression(ex, hit));
    return ex === undefined;
  });
}

/** Step 4: the rules the flags imply, on the result the suppression pass left. */
function flagRules(r: ScanResult, rules: GateRules, now: Date): FlagRules {
  const suppressed: Suppression[] = [];
  const images = imageNames(r.inventory);
  const none: FlagRules = { outcomes: [], remediation: [], suppressed };
  if (rules.failOn !== undefined) {
    const limit = rules.failOn;
    // Grype's --fail-on judges vulnerabilities only; an unrated one meets no threshold.
    const hits = scopedExceptions(
      findingsOf(r).filter((f) => f.kind === 'vuln' && f.severity !== 'unknown' && isAtLeast(f.severity, limit)),
      FAIL_ON_RULE,
      rules,
      images,
      now,
      suppressed,
    );
    if (hits.length === 0) return none;
    return {
      outcomes: [
        {
          ruleId: FAIL_ON_RULE,
          action: 'fail',
          message: `vulnerabilities of severity ${limit} or above are not allowed (--fail-on ${limit})`,
          source: COMMAND_LINE,
          findings: hits.map((f) => findingRef(f)),
        },
      ],
      remediation: upgradesFor(vulnsOf(hits), FAIL_ON_RULE),
      suppressed,
    };
  }
  if (rules.policy !== undefined) return none;
  const hits = scopedExceptions(findingsOf(r), ANY_FINDING_RULE, rules, images, now, suppressed);
  if (hits.length === 0) return none;
  const which = rules.severities ? ` of severity ${rules.severities.join(', ')}` : '';
  return {
    outcomes: [
      {
        ruleId: ANY_FINDING_RULE,
        action: 'fail',
        message: `no finding${which} is allowed (no --policy or --fail-on given: any finding left after the filters fails, like trivy --exit-code)`,
        source: COMMAND_LINE,
        findings: hits.map((f) => findingRef(f)),
      },
    ],
    remediation: upgradesFor(vulnsOf(hits), ANY_FINDING_RULE),
    suppressed,
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

const vulnsOf = (found: readonly Finding[]): VulnFinding[] => found.flatMap((f) => (f.kind === 'vuln' ? [f.vuln] : []));

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
  const pre = applySuppressions(filtered, rules, now);
  const policy = rules.policy
    ? evaluatePolicy(pre.result, rules.policy, {
        now,
        ...(rules.vex !== undefined ? { vex: rules.vex } : {}),
        // The image config decides requireEntrypoint / forbiddenPorts and the like.
        ...(scan.config !== undefined ? { config: scan.config } : {}),
      })
    : EMPTY_VERDICT;
  const flags = flagRules(pre.result, rules, now);
  const all = [...packageDatabaseOutcomes(scan, rules), ...policy.rules, ...flags.outcomes];
  const usesFlags =
    flags.outcomes.length > 0 || rules.failOn !== undefined || rules.policy === undefined || rules.ignore !== undefined;
  // One entry per finding and source: the policy's own pass finds nothing the gate's did not.
  const byKey = new Map<string, Suppression>();
  for (const s of [...pre.suppressed, ...policy.suppressed, ...flags.suppressed])
    byKey.set(`${s.finding.kind}\0${s.finding.id}\0${s.by}\0${s.reason}`, s);
  const verdict: Verdict = {
    status: statusOf(all),
    rules: all,
    suppressed: [...pre.ignored, ...sortSuppressions([...byKey.values()])],
    expiredExceptions: [...pre.expired, ...policy.expiredExceptions],
    remediation: [...policy.remediation, ...flags.remediation],
    policies: [...policy.policies, ...(usesFlags ? [COMMAND_LINE] : [])],
    ...(notes.length + (policy.notes?.length ?? 0) > 0 ? { notes: [...notes, ...(policy.notes ?? [])] } : {}),
  };
  return { result: filtered, verdict };
}
