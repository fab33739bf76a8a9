import { compareStrings, type PackageFact } from '../../core/index.js';

/**
 * One fact per (name, version) for lockfile-style analyzers, where the same
 * package appears at many paths of the dependency tree. A `dev` flag survives
 * only if every occurrence is dev (a package both dev and prod ships in prod).
 * Sorted by name then version so output bytes are deterministic.
 */
export function dedupFacts(facts: readonly PackageFact[]): PackageFact[] {
  const byKey = new Map<string, PackageFact>();
  for (const f of facts) {
    const key = `${f.name}\u0000${f.version}`;
    const seen = byKey.get(key);
    if (seen === undefined) {
      byKey.set(key, f);
      continue;
    }
    if (seen.meta?.dev === 'true' && f.meta?.dev !== 'true') {
      const meta: Record<string, string> = { ...seen.meta };
      delete meta.dev;
      byKey.set(key, { ...seen, meta });
    }
  }
  return [...byKey.values()].sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.version, b.version));
}
