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
import type { AffectedPackage, AffectedRange, RangeEvent } from '../vulndb/index.js';
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

function usable(e: Event, scheme: VersionScheme): boolean {
  if (e.kind === 'introduced' && e.version === '0') return true;
  if (e.kind === 'limit' && e.version.includes('*')) return true;
  return scheme.valid(e.version);
}

function evaluateRange(v: string, range: AffectedRange, scheme: VersionScheme): { hit: boolean; constraint: string; fixed?: string } {
  const events = range.events.map(eventOf);
  const limits = events.filter((e) => e.kind === 'limit');
  if (limits.length > 0 && !limits.some((e) => vs(v, e, scheme) < 0)) return { hit: false, constraint: '' };
  // Array.prototype.sort is stable: events at the same version keep the feed's order.
  const sorted = events.filter((e) => e.kind !== 'limit').sort((a, b) => compareEvent(a, b, scheme));
  let vulnerable = false;
  let from: Event | undefined;
  for (const e of sorted) {
    if (e.kind === 'introduced' && vs(v, e, scheme) >= 0) {
      vulnerable = true;
      from = e;
    } else if (e.kind === 'fixed' && vs(v, e, scheme) >= 0) vulnerable = false;
    else if (e.kind === 'last_affected' && vs(v, e, scheme) > 0) vulnerable = false;
  }
  if (!vulnerable || from === undefined) return { hit: false, constraint: '' };
  // The interval's upper end: the first fixed / last_affected event after the introduced one that opened it.
  const start = sorted.indexOf(from);
  const end = sorted.slice(start + 1).find((e) => e.kind === 'fixed' || e.kind === 'last_affected');
  const parts = [`>= ${from.version}`];
  if (end?.kind === 'fixed') parts.push(`< ${end.version}`);
  else if (end?.kind === 'last_affected') parts.push(`<= ${end.version}`);
  for (const l of limits) parts.push(`< ${l.version} (limit)`);
  return {
    hit: true,
    constraint: `${parts.join(', ')} (${range.type})`,
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
  for (const range of affected.ranges) {
    if (range.type === 'GIT') continue;
    const scheme = schemeFor(range.type);
    const norm: AffectedRange = {
      type: range.type,
      events: range.events.map((e) => {
        const ev = eventOf(e);
        const special = (ev.kind === 'introduced' && ev.version === '0') || (ev.kind === 'limit' && ev.version.includes('*'));
        const version = special ? ev.version : normalize(ev.version);
        return { [ev.kind]: version } as unknown as RangeEvent;
      }),
    };
    const bad = norm.events.map(eventOf).filter((e) => !usable(e, scheme));
    if (bad.length > 0 || !scheme.valid(version)) {
      invalid.push(...bad.map((e) => e.version));
      continue;
    }
    const r = evaluateRange(version, norm, scheme);
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
  return { affected: constraints.length > 0, constraint: constraints.join('; '), fixedVersions: [...new Set(fixed)], invalid };
}
