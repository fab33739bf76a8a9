/**
 * `customs db status`: what the DB holds and how old it is. A DB older than
 * STALE_AFTER_DAYS misses recent advisories: scans still run, with a warning.
 */
import { statSync } from 'node:fs';
import { dbPath } from '../core/index.js';
import { openVulnDb } from './db-reader.js';
import type { DbMetadata } from './types.js';

export const STALE_AFTER_DAYS = 7;

export interface DbStatus {
  readonly path: string;
  readonly sizeBytes: number;
  readonly metadata: DbMetadata;
  readonly ageDays: number;
  readonly stale: boolean;
  /** Human sentences for the user, e.g. the staleness warning. */
  readonly warnings: readonly string[];
}

/** Status of the DB in `dbDir`; throws VULNDB_MISSING / VULNDB_CORRUPT / VULNDB_SCHEMA_UNSUPPORTED like openVulnDb. */
export function vulnDbStatus(dbDir: string, now: Date): DbStatus {
  const path = dbPath(dbDir);
  const reader = openVulnDb(path);
  const metadata = reader.metadata;
  reader.close();
  const built = Date.parse(metadata.builtAt);
  const ageDays = Number.isFinite(built) ? (now.getTime() - built) / 86_400_000 : Number.POSITIVE_INFINITY;
  const stale = ageDays > STALE_AFTER_DAYS;
  const warnings: string[] = [];
  if (stale) {
    warnings.push(
      `the DB is ${Number.isFinite(ageDays) ? `${Math.floor(ageDays)} days` : 'of unknown age'} old (built ${metadata.builtAt || 'at an unknown time'}); newer advisories are missing: run \`customs db update\``,
    );
  }
  for (const s of metadata.sources) {
    if (s.records === 0) warnings.push(`source ${s.name} contributed no records`);
  }
  return { path, sizeBytes: statSync(path).size, metadata, ageDays, stale, warnings };
}
