/**
 * Opens a DB file read-only and answers matchers' questions. Statements are
 * prepared once; each advisory's JSON is parsed once and cached, since a scan
 * asks about the same advisories for many packages (e.g. a source package's binaries).
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { CustomsError } from '../core/index.js';
import { packageKey } from './ecosystem.js';
import { SCHEMA_VERSION } from './schema.js';
import type {
  AffectedPackage,
  Advisory,
  CveEnrichment,
  DbMetadata,
  DbSourceInfo,
  FeedEcosystem,
  SeverityRating,
  VulnDbReader,
} from './types.js';

/** Parsed advisories kept; a scan touches a few thousand, a full rescan may touch all. */
const CACHE_LIMIT = 200_000;

interface EnrichmentRow {
  cve: string;
  nvd: string | null;
  published: string | null;
  kev: string | null;
  epss_score: number | null;
  epss_percentile: number | null;
  epss_date: string | null;
}

function readMeta(db: Database.Database, path: string): DbMetadata {
  let rows: { key: string; value: string }[];
  try {
    rows = db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[];
  } catch (e) {
    throw new CustomsError('VULNDB_CORRUPT', `${path} is not a customs vulnerability DB (${(e as Error).message})`, e);
  }
  const m = new Map(rows.map((r) => [r.key, r.value]));
  const version = Number(m.get('schema_version'));
  if (version !== SCHEMA_VERSION) {
    throw new CustomsError(
      'VULNDB_SCHEMA_UNSUPPORTED',
      `${path} has DB schema version ${m.get('schema_version') ?? 'none'}, this customs reads version ${SCHEMA_VERSION}; rebuild it with \`customs db update\` or \`customs db import PATH\``,
    );
  }
  let sources: DbSourceInfo[];
  try {
    sources = JSON.parse(m.get('sources') ?? '[]') as DbSourceInfo[];
  } catch (e) {
    throw new CustomsError('VULNDB_CORRUPT', `${path}: metadata "sources" is not JSON`, e);
  }
  return {
    schemaVersion: version,
    builtAt: m.get('built_at') ?? '',
    sources,
    advisories: Number(m.get('advisories') ?? 0),
    cves: Number(m.get('cves') ?? 0),
  };
}

/** Open the DB at `path` read-only. VULNDB_MISSING, VULNDB_CORRUPT or VULNDB_SCHEMA_UNSUPPORTED when it cannot be used. */
export function openVulnDb(path: string): VulnDbReader {
  if (!existsSync(path)) {
    throw new CustomsError(
      'VULNDB_MISSING',
      `no vulnerability DB at ${path}; run \`customs db update\` (online) or \`customs db import PATH\` (offline)`,
    );
  }
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new CustomsError('VULNDB_CORRUPT', `cannot open ${path}: ${(e as Error).message}`, e);
  }
  try {
    const metadata = readMeta(db, path);
    const byPackage = db.prepare(
      'SELECT a.advisory AS advisory, a.idx AS idx FROM affected a WHERE a.ecosystem = ? AND a.name = ? ORDER BY a.advisory, a.idx',
    );
    const advisoryJson = db.prepare('SELECT json FROM advisory WHERE rowid = ?').pluck();
    const byAlias = db.prepare('SELECT DISTINCT advisory FROM alias WHERE id = ? ORDER BY advisory').pluck();
    const enrichmentRow = db.prepare('SELECT * FROM enrichment WHERE cve = ?');
    const ecosystems = new Set(db.prepare('SELECT name FROM ecosystem').pluck().all() as string[]);
    const cache = new Map<number, Advisory>();
    const advisory = (row: number): Advisory => {
      let a = cache.get(row);
      if (a === undefined) {
        if (cache.size >= CACHE_LIMIT) cache.clear();
        a = JSON.parse(advisoryJson.get(row) as string) as Advisory;
        cache.set(row, a);
      }
      return a;
    };
    return {
      metadata,
      affecting(ecosystem: FeedEcosystem, name: string) {
        const rows = byPackage.all(ecosystem, packageKey(ecosystem, name)) as { advisory: number; idx: number }[];
        const out: { advisory: Advisory; affected: AffectedPackage }[] = [];
        for (const r of rows) {
          const a = advisory(r.advisory);
          const affected = a.affected[r.idx];
          if (affected) out.push({ advisory: a, affected });
        }
        return out;
      },
      hasEcosystem: (ecosystem) => ecosystems.has(ecosystem),
      enrichment(cve: string): CveEnrichment | undefined {
        const r = enrichmentRow.get(cve) as EnrichmentRow | undefined;
        if (!r) return undefined;
        return {
          cve: r.cve,
          severity: r.nvd ? (JSON.parse(r.nvd) as SeverityRating[]) : [],
          ...(r.kev ? { kev: JSON.parse(r.kev) as NonNullable<CveEnrichment['kev']> } : {}),
          ...(r.epss_score !== null && r.epss_percentile !== null
            ? { epss: { score: r.epss_score, percentile: r.epss_percentile, date: r.epss_date ?? '' } }
            : {}),
          ...(r.published !== null ? { published: r.published } : {}),
        };
      },
      advisoriesById: (id) => (byAlias.all(id) as number[]).map(advisory),
      close: () => db.close(),
    };
  } catch (e) {
    db.close();
    if (e instanceof CustomsError) throw e;
    throw new CustomsError('VULNDB_CORRUPT', `${path} is not a customs vulnerability DB (${(e as Error).message})`, e);
  }
}
