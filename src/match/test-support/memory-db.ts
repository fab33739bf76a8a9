/**
 * An in-memory VulnDbReader for unit tests: the same lookup rules as the SQLite
 * reader (exact ecosystem key, name folded by vulndb's packageKey).
 */
import type { Advisory, AffectedPackage, CveEnrichment, VulnDbReader } from '../../vulndb/index.js';
import { packageKey } from '../../vulndb/index.js';

export function memoryDb(
  advisories: readonly Advisory[],
  enrichment: readonly CveEnrichment[] = [],
  builtAt = '2026-01-01T00:00:00Z',
): VulnDbReader {
  const index = new Map<string, { advisory: Advisory; affected: AffectedPackage }[]>();
  const ecosystems = new Set<string>();
  for (const advisory of advisories) {
    for (const affected of advisory.affected) {
      ecosystems.add(affected.ecosystem);
      const k = `${affected.ecosystem}\u0000${packageKey(affected.ecosystem, affected.name)}`;
      index.set(k, [...(index.get(k) ?? []), { advisory, affected }]);
    }
  }
  const enrich = new Map(enrichment.map((e) => [e.cve, e]));
  return {
    metadata: { schemaVersion: 1, builtAt, sources: [] },
    affecting: (ecosystem, name) => index.get(`${ecosystem}\u0000${packageKey(ecosystem, name)}`) ?? [],
    hasEcosystem: (e) => ecosystems.has(e),
    enrichment: (cve) => enrich.get(cve),
    close: () => {},
  };
}
