/**
 * Lookups memoised per open DB reader. The DB is an immutable artifact (a new
 * version is a new file and a new reader), so an answer never goes stale while
 * its reader is open; a server or worker that scans many images sharing base
 * layers asks the same (ecosystem, name) questions again and again. Bounded:
 * the memo is dropped when it holds MAX entries.
 */
import type { Advisory, AffectedPackage, CveEnrichment, VulnDbReader } from '../vulndb/index.js';

const MAX = 200_000;

interface Memo {
  readonly affecting: Map<string, readonly { readonly advisory: Advisory; readonly affected: AffectedPackage }[]>;
  readonly enrichment: Map<string, CveEnrichment | undefined>;
  readonly view: VulnDbReader;
}

const memos = new WeakMap<VulnDbReader, Memo>();

export function memoReader(db: VulnDbReader): VulnDbReader {
  const known = memos.get(db);
  if (known) return known.view;
  const affecting: Memo['affecting'] = new Map();
  const enrichment: Memo['enrichment'] = new Map();
  const view: VulnDbReader = {
    get metadata() {
      return db.metadata;
    },
    affecting(ecosystem, name) {
      const k = `${ecosystem}\u0000${name}`;
      let v = affecting.get(k);
      if (v === undefined) {
        if (affecting.size >= MAX) affecting.clear();
        v = db.affecting(ecosystem, name);
        affecting.set(k, v);
      }
      return v;
    },
    hasEcosystem: (e) => db.hasEcosystem(e),
    enrichment(cve) {
      if (enrichment.has(cve)) return enrichment.get(cve);
      if (enrichment.size >= MAX) enrichment.clear();
      const v = db.enrichment(cve);
      enrichment.set(cve, v);
      return v;
    },
    close: () => db.close(),
  };
  memos.set(db, { affecting, enrichment, view });
  return view;
}
