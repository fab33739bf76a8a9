/**
 * Generated OSV records and DB builds for tests (test code only). Records are
 * written as OSV JSON files (https://ossf.github.io/osv-schema/) and imported
 * through `customs db import`'s own path (importVulnDb), so a test DB is built
 * exactly as a user's is.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createContext, dbPath } from '../../core/index.js';
import { importVulnDb } from '../import-db.js';

export interface OsvSpec {
  readonly id: string;
  readonly aliases?: readonly string[];
  readonly ecosystem: string;
  readonly name: string;
  readonly introduced?: string;
  /** No fixed event: every version from `introduced` on is affected. */
  readonly fixed?: string;
  /** GHSA-style database_specific severity word (LOW, MODERATE, HIGH, CRITICAL). */
  readonly severity?: string;
  readonly summary?: string;
  readonly withdrawn?: string;
}

export function osvRecord(s: OsvSpec): object {
  return {
    schema_version: '1.6.0',
    id: s.id,
    modified: '2026-01-01T00:00:00Z',
    published: '2025-01-01T00:00:00Z',
    ...(s.withdrawn !== undefined ? { withdrawn: s.withdrawn } : {}),
    aliases: s.aliases ?? [],
    summary: s.summary ?? `flaw in ${s.name}`,
    affected: [
      {
        package: { ecosystem: s.ecosystem, name: s.name },
        ranges: [
          {
            type: 'ECOSYSTEM',
            events: [{ introduced: s.introduced ?? '0' }, ...(s.fixed !== undefined ? [{ fixed: s.fixed }] : [])],
          },
        ],
      },
    ],
    references: [],
    ...(s.severity !== undefined ? { database_specific: { severity: s.severity } } : {}),
  };
}

/** A CISA KEV catalogue listing `cves`. */
export function kevCatalog(cves: readonly string[]): object {
  return {
    title: 'CISA Catalog of Known Exploited Vulnerabilities',
    catalogVersion: '2026.01.01',
    dateReleased: '2026-01-01T00:00:00.000Z',
    count: cves.length,
    vulnerabilities: cves.map((c) => ({
      cveID: c,
      vendorProject: 'x',
      product: 'x',
      vulnerabilityName: 'x',
      dateAdded: '2026-01-01',
      shortDescription: 'x',
      requiredAction: 'x',
      dueDate: '2026-01-21',
      knownRansomwareCampaignUse: 'Unknown',
      notes: '',
    })),
  };
}

/** Build a DB in `dir/db` from the records (and an optional KEV catalogue); returns the DB file. */
export async function buildTestDb(
  dir: string,
  records: readonly OsvSpec[],
  opts: { kev?: readonly string[]; builtAt?: Date } = {},
): Promise<string> {
  const feeds = join(dir, 'feeds');
  mkdirSync(join(feeds, 'osv'), { recursive: true });
  records.forEach((r, i) => {
    writeFileSync(join(feeds, 'osv', `${i}-${r.id}.json`), JSON.stringify(osvRecord(r)));
  });
  if (opts.kev !== undefined) writeFileSync(join(feeds, 'kev.json'), JSON.stringify(kevCatalog(opts.kev)));
  const dbDir = join(dir, 'db');
  const at = opts.builtAt ?? new Date('2026-01-01T00:00:00Z');
  await importVulnDb([feeds], createContext({ config: { dbDir, feedUrls: {} }, now: () => at }));
  return dbPath(dbDir);
}
