/**
 * Which rating a finding shows, in a documented precedence (docs/scan.md):
 *   distro packages:   the distro's own rating (Debian urgency, Ubuntu priority, Red Hat
 *                      impact, … — it rates the package as shipped, with backports), then
 *                      NVD, then the CNA, then any other;
 *   language packages: GitHub's advisory (GHSA) rating, then the ecosystem's own database
 *                      (Go, PyPA, RustSec …), then NVD, then the CNA, then any other.
 * Within a rank the statement about this package comes before the advisory-wide one,
 * then the feed's order. Ratings with severity "unknown" never win.
 */
import type { SeverityRating } from '../vulndb/index.js';

const DISTRO_SOURCES = new Set([
  'debian',
  'ubuntu',
  'redhat',
  'rocky',
  'almalinux',
  'suse',
  'alpine',
  'chainguard',
  'wolfi',
]);
const ECOSYSTEM_SOURCES = new Set(['go', 'pypa', 'rustsec']);

function rank(source: string, kind: 'os' | 'language'): number {
  if (kind === 'os') {
    if (DISTRO_SOURCES.has(source)) return 0;
    if (source === 'nvd') return 1;
    if (source.startsWith('cna:')) return 2;
    return 3;
  }
  if (source === 'ghsa') return 0;
  if (ECOSYSTEM_SOURCES.has(source) || source.startsWith('osv:')) return 1;
  if (source === 'nvd') return 2;
  if (source.startsWith('cna:')) return 3;
  return 4;
}

/** Ratings in precedence order (stable within a rank). */
export function rankRatings(ratings: readonly SeverityRating[], kind: 'os' | 'language'): SeverityRating[] {
  return ratings
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r.source, kind) - rank(b.r.source, kind) || a.i - b.i)
    .map((x) => x.r);
}

/** The rating that decides the finding's severity, or undefined when none is known. */
export function pickSeverity(ratings: readonly SeverityRating[], kind: 'os' | 'language'): SeverityRating | undefined {
  return rankRatings(ratings, kind).find((r) => r.severity !== 'unknown');
}

/** The CVSS score shown: from the deciding source when it has a vector, else the best-ranked vector. */
export function pickCvss(ratings: readonly SeverityRating[], kind: 'os' | 'language'): SeverityRating | undefined {
  const ranked = rankRatings(ratings, kind).filter((r) => r.vector !== undefined && r.score !== undefined);
  // Prefer the newest CVSS version within the best source that has one.
  const first = ranked[0];
  if (first === undefined) return undefined;
  const same = ranked.filter((r) => r.source === first.source);
  return same.sort((a, b) => Number(b.cvssVersion ?? 0) - Number(a.cvssVersion ?? 0))[0];
}
