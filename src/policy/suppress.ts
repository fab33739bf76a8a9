/**
 * The one suppression pass: an ignore file, the policies' exceptions and the VEX documents
 * take findings out of a result BEFORE any rule reads it, so every rule (a policy's, and the
 * gate's own --fail-on / any-finding rules) judges the same findings (docs/gate.md "How a
 * verdict is reached"). A suppressed finding stays visible in reports, listed with why.
 *
 * Per finding, the first source that matches decides: the ignore file, then the exceptions
 * (policy order), then VEX (OpenVEX: the latest not_affected / fixed statement). Exceptions
 * scoped to rules (`rules: [...]`) cannot be decided here; each rule applies them to its own
 * hits (exceptionFor).
 */
import { compareStrings } from '../core/index.js';
import { type Finding, findingRef, mapFindings, type ScanResult } from '../result/index.js';
import { exceptionMatches, imageNames, vexFor } from './exceptions.js';
import { type IgnoreEntry, isIgnoreExpired } from './ignorefile.js';
import type { Hit } from './input.js';
import type { PolicyException } from './policy-model.js';
import type { ExpiredException, Suppression } from './types.js';
import type { VexDocument } from './vex.js';

export interface SuppressionSources {
  /** --ignorefile, parsed, and the file it came from. */
  readonly ignore?: { readonly file: string; readonly entries: readonly IgnoreEntry[] };
  /** The policies' exceptions (expired ones are skipped; the policy lists them). */
  readonly exceptions?: readonly PolicyException[];
  readonly vex?: readonly VexDocument[];
}

export interface SuppressionOutcome {
  /** The result with every suppressed finding taken out: what the rules read. */
  readonly result: ScanResult;
  /** Ignore-file suppressions, in report order. */
  readonly ignored: readonly Suppression[];
  /** Exception and VEX suppressions, in report order. */
  readonly suppressed: readonly Suppression[];
  /** Ignore-file entries past their exp: date. */
  readonly expired: readonly ExpiredException[];
}

/** What exceptions and VEX statements match a finding by. */
export function hitOf(f: Finding): Hit {
  return {
    ref: findingRef(f, 'ruleSummary'),
    advisories: f.ruleIds,
    packages: f.packages,
    paths: f.paths,
    ...(f.kind === 'vuln' ? { vuln: f.vuln } : {}),
  };
}

/** The exception that suppresses a hit of one rule: first active match, in policy order. */
export function exceptionFor(
  exceptions: readonly PolicyException[],
  hit: Hit,
  ruleId: string,
  images: readonly string[],
  now: Date,
): PolicyException | undefined {
  const t = now.getTime();
  return exceptions.find((e) => e.expiresAt.getTime() > t && exceptionMatches(e, hit, ruleId, images));
}

export function exceptionSuppression(ex: PolicyException, hit: Hit): Suppression {
  return { finding: hit.ref, by: 'exception', reason: ex.spec.reason, owner: ex.spec.owner, expires: ex.spec.expires };
}

/** The VEX statement that suppresses a hit (not_affected or fixed), as a Suppression. */
export function vexSuppression(
  hit: Hit,
  vex: readonly VexDocument[],
  images: readonly string[],
): Suppression | undefined {
  if (hit.packages.length === 0 || vex.length === 0) return undefined;
  const v = vexFor(hit, vex, images);
  if (v === undefined || (v.statement.status !== 'not_affected' && v.statement.status !== 'fixed')) return undefined;
  const st = v.statement;
  return {
    finding: hit.ref,
    by: 'vex',
    reason: `${st.rawStatus}${st.justification !== undefined ? `: ${st.justification}` : ''} (${v.document})`,
    vex: {
      status: st.rawStatus,
      ...(st.justification !== undefined ? { justification: st.justification } : {}),
      document: v.document,
    },
  };
}

/** Exception and VEX suppressions in one stable order (kind, finding, source, reason). */
export function sortSuppressions(list: readonly Suppression[]): Suppression[] {
  return [...list].sort(
    (a, b) =>
      compareStrings(a.finding.kind, b.finding.kind) ||
      compareStrings(a.finding.id, b.finding.id) ||
      compareStrings(a.by, b.by) ||
      compareStrings(a.reason, b.reason),
  );
}

export function suppressFindings(r: ScanResult, sources: SuppressionSources, now: Date): SuppressionOutcome {
  const active = new Map<string, IgnoreEntry>();
  const expired: ExpiredException[] = [];
  const ignore = sources.ignore;
  for (const e of ignore?.entries ?? []) {
    if (isIgnoreExpired(e, now)) {
      expired.push({ id: e.id, reason: e.reason, expired: e.expires ?? '', source: `${ignore?.file}:${e.line}` });
    } else if (!active.has(e.id)) {
      active.set(e.id, e);
    }
  }
  // Exceptions scoped to rules are the rules' to apply.
  const exceptions = (sources.exceptions ?? []).filter((e) => e.spec.rules === undefined);
  const vex = sources.vex ?? [];
  if (active.size === 0 && exceptions.length === 0 && vex.length === 0)
    return { result: r, ignored: [], suppressed: [], expired };
  const images = imageNames(r.inventory);
  const ignored: Suppression[] = [];
  const suppressed: Suppression[] = [];
  const result = mapFindings(r, (f) => {
    const e = f.ruleIds.map((id) => active.get(id)).find((x) => x !== undefined);
    if (e !== undefined) {
      ignored.push({
        finding: findingRef(f),
        by: 'ignorefile',
        reason: e.reason,
        ...(e.expires !== undefined ? { expires: e.expires } : {}),
      });
      return false;
    }
    const hit = hitOf(f);
    // The rule id is irrelevant: only exceptions without `rules` are here.
    const ex = exceptionFor(exceptions, hit, '', images, now);
    const s = ex !== undefined ? exceptionSuppression(ex, hit) : vexSuppression(hit, vex, images);
    if (s === undefined) return true;
    suppressed.push(s);
    return false;
  });
  return { result, ignored, suppressed, expired };
}
