import { CustomsError, type PackageFact } from '../../core/index.js';
import { RPM_DB_BUDGET } from '../sandbox/budgets.js';
import type { Analyzer } from '../types.js';
import { bdbByteOrder, readBdbRpmdb } from './rpm-bdb.js';
import { pathBudget } from './rpm-budget.js';
import { parseRpmHeader, rpmPackageOf } from './rpm-header.js';
import { isNdb, readNdbRpmdb } from './rpm-ndb.js';
import { readSqliteRpmdb, SQLITE_MAGIC } from './rpm-sqlite.js';
import { ANALYZER_VERSIONS } from '../analyzer-ids.js';

/**
 * Where rpm keeps its database: var/lib/rpm (RHEL, CentOS, Amazon Linux) or
 * usr/lib/sysimage/rpm (Fedora ≥ 36, openSUSE, SLES 15 SP4+; var/lib/rpm is
 * then a symlink the walker resolves). File names by backend: rpmdb.sqlite
 * (sqlite), Packages.db (ndb), Packages (bdb).
 */
export const RPMDB_PATHS = [
  'var/lib/rpm/rpmdb.sqlite',
  'var/lib/rpm/Packages.db',
  'var/lib/rpm/Packages',
  'usr/lib/sysimage/rpm/rpmdb.sqlite',
  'usr/lib/sysimage/rpm/Packages.db',
  'usr/lib/sysimage/rpm/Packages',
] as const;

const WANTED: ReadonlySet<string> = new Set(RPMDB_PATHS);

/**
 * The header blobs of an rpm database, whichever backend wrote it (told by its
 * magic, not its name). Each reader bounds its work by the database's size
 * (rpm-budget.ts): crafted databases fail in milliseconds with a CustomsError.
 */
export function readRpmdbBlobs(bytes: Buffer, source: string): Buffer[] {
  if (bytes.length >= 16 && bytes.subarray(0, 16).equals(SQLITE_MAGIC)) return readSqliteRpmdb(bytes, source);
  if (isNdb(bytes)) return readNdbRpmdb(bytes, source);
  if (bdbByteOrder(bytes)) return readBdbRpmdb(bytes, source);
  throw new CustomsError(
    'ANALYZE_FILE_INVALID',
    `${source}: not an RPM database (no SQLite, ndb or Berkeley DB hash magic in its ${bytes.length} bytes); the file is corrupt or truncated`,
  );
}

/** Packages of an rpm database, gpg-pubkey pseudo-packages left out; file paths within the database's path budget. */
export function parseRpmdb(bytes: Buffer, source: string): { packages: PackageFact[]; ownedFiles: string[] } {
  const packages: PackageFact[] = [];
  const owned: string[] = [];
  const paths = pathBudget(source, bytes.length);
  for (const blob of readRpmdbBlobs(bytes, source)) {
    const p = rpmPackageOf(parseRpmHeader(blob, source), source, paths);
    if (!p) continue;
    packages.push(p);
    for (const f of p.files ?? []) owned.push(f);
  }
  return { packages, ownedFiles: owned };
}

export const rpmDb: Analyzer = {
  name: 'rpm-db',
  version: ANALYZER_VERSIONS['rpm-db'],
  wants: (path) => WANTED.has(path),
  // SQLite, Berkeley DB and NDB readers of attacker bytes: isolated (sandbox/budgets.ts).
  budget: RPM_DB_BUDGET,
  analyze: (file) => parseRpmdb(file.bytes, file.path),
};
