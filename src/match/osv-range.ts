/**
 * OSV range evaluation, as the schema's "Evaluation" pseudocode says
 * (https://ossf.github.io/osv-schema/#evaluation): a version is affected when
 * it is listed in `versions`, or when, for some non-GIT range, it is before one
 * of the range's `limit`s (none = an implicit "*") and the walk over the events
 * sorted by version ends "vulnerable":
 *   introduced ≤ v → vulnerable; fixed ≤ v → not; last_affected < v → not.
 * "0" as `introduced` sorts before every version; "*" as `limit` is infinity.
 * GIT ranges need the commit graph and are skipped (OSV: `versions` carries them).
 */
import type { AffectedPackage, RangeEvent } from '../vulndb/index.js';
import type { VersionScheme } from '../version/index.js';

export interface RangeVerdict {
  readonly affected: boolean;
  /** Human form of what matched: ">= 1.0.0, < 1.0.2 (SEMVER)", "version 1.2.3 listed". */
  readonly constraint: string;
  /** The `fixed` event closing the interval that holds the version (empty when none). */
  readonly fixedVersions: readonly string[];
  /** Event versions the scheme could not order: those ranges were not evaluated. */
  readonly invalid: readonly string[];
}

type Kind = 'introduced' | 'fixed' | 'last_affected' | 'limit';
interface Event {
  readonly kind: Kind;
  readonly version: string;
}

const eventOf = (e: RangeEvent): Event => {
  if ('introduced' in e) return { kind: 'introduced', version: e.introduced };
  if ('fixed' in e) return { kind: 'fixed', version: e.fixed };
  if ('last_affected' in e) return { kind: 'last_affected', version: e.last_affected };
  return { kind: 'limit', version: e.limit };
};

/** Compare event versions, with OSV's special values: introduced "0" lowest, limit "*" highest. */
function compareEvent(a: Event, b: Event, scheme: VersionScheme): number {
  const low = (e: Event): boolean => e.kind === 'introduced' && e.version === '0';
  const high = (e: Event): boolean => e.kind === 'limit' && e.version.includes('*');
  if (low(a) || low(b)) return low(a) && low(b) ? 0 : low(a) ? -1 : 1;
  if (high(a) || high(b)) return high(a) && high(b) ? 0 : high(a) ? 1 : -1;
  return scheme.compare(a.version, b.version);
}

/** v compared with an event version (sign of v - event). */
function vs(v: string, e: Event, scheme: VersionScheme): number {
  if (e.kind === 'introduced' && e.version === '0') return 1;
  if (e.kind === 'limit' && e.version.includes('*')) return -1;
  return scheme.compare(v, e.version);
}

function isSpecial(e: Event): boolean {
  return (e.kind === 'introduced' && e.version === '0') || (e.kind === 'limit' && e.version.includes('*'));
}

function evaluateRange(
  v: string,
  type: string,
  events: readonly Event[],
  scheme: VersionScheme,
): { hit: boolean; constraint: string; fixed?: string } {
  const limits = events.filter((e) => e.kind === 'limit');
  if (limits.length > 0 && !limits.some((e) => vs(v, e, scheme) < 0)) return { hit: false, constraint: '' };
  // Array.prototype.sort is stable: events at the same version keep the feed's order.
  const sorted = events.filter((e) => e.kind !== 'limit').sort((a, b) => compareEvent(a, b, scheme));
  let vulnerable = false;
  let from = -1;
  sorted.forEach((e, i) => {
    if (e.kind === 'introduced' && vs(v, e, scheme) >= 0) {
      vulnerable = true;
      from = i;
    } else if (e.kind === 'fixed' && vs(v, e, scheme) >= 0) vulnerable = false;
    else if (e.kind === 'last_affected' && vs(v, e, scheme) > 0) vulnerable = false;
  });
  const start = sorted[from];
  if (!vulnerable || start === undefined) return { hit: false, constraint: '' };
  // The interval's upper end: the first fixed / last_affected event after the introduced one that opened it.
  const end = sorted.slice(from + 1).find((e) => e.kind === 'fixed' || e.kind === 'last_affected');
  const parts = [`>= ${start.version}`];
  if (end?.kind === 'fixed') parts.push(`< ${end.version}`);
  else if (end?.kind === 'last_affected') parts.push(`<= ${end.version}`);
  for (const l of limits) parts.push(`< ${l.version} (limit)`);
  return {
    hit: true,
    constraint: `${parts.join(', ')} (${type})`,
    ...(end?.kind === 'fixed' ? { fixed: end.version } : {}),
  };
}

/**
 * Is `version` affected by `affected`? `schemeFor(range.type)` picks the ordering
 * per range (ECOSYSTEM: the ecosystem's; SEMVER: SemVer 2.0); `normalize` maps
 * feed versions into the scheme's spelling (Go adds its "v"). The version must
 * be valid for the schemes (callers check first).
 */
export function evaluateAffected(
  version: string,
  affected: AffectedPackage,
  schemeFor: (type: 'ECOSYSTEM' | 'SEMVER') => VersionScheme,
  normalize: (v: string) => string = (v) => v,
): RangeVerdict {
  const invalid: string[] = [];
  const constraints: string[] = [];
  const fixed: string[] = [];
  const validFor = new Map<VersionScheme, boolean>();
  for (const range of affected.ranges) {
    if (range.type === 'GIT') continue;
    const scheme = schemeFor(range.type);
    let ok = validFor.get(scheme);
    if (ok === undefined) {
      ok = scheme.valid(version);
      validFor.set(scheme, ok);
    }
    if (!ok) continue;
    const events = range.events.map((e) => {
      const ev = eventOf(e);
      return isSpecial(ev) ? ev : { kind: ev.kind, version: normalize(ev.version) };
    });
    let r: ReturnType<typeof evaluateRange>;
    try {
      r = evaluateRange(version, range.type, events, scheme);
    } catch {
      // An event version the scheme cannot order (VERSION_INVALID): this range cannot be decided.
      invalid.push(...events.filter((e) => !isSpecial(e) && !scheme.valid(e.version)).map((e) => e.version));
      continue;
    }
    if (r.hit) {
      constraints.push(r.constraint);
      if (r.fixed !== undefined) fixed.push(r.fixed);
    }
  }
  if (constraints.length === 0) {
    // OSV `versions`: exact strings as the ecosystem spells them.
    const listed = affected.versions.some((x) => x === version || normalize(x) === version);
    if (listed) return { affected: true, constraint: `version ${version} listed`, fixedVersions: [], invalid };
  }
  return {
    affected: constraints.length > 0,
    constraint: constraints.join('; '),
    fixedVersions: [...new Set(fixed)],
    invalid,
  };
}
