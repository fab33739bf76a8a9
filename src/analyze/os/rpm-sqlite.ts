import Database from 'better-sqlite3';
import { CustomsError } from '../../core/index.js';

/** "SQLite format 3\0", the first 16 bytes of every SQLite database (sqlite.org/fileformat2.html §1.3). */
export const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Header blobs of rpm's sqlite backend (lib/backend/sqlite.c: table
 * `Packages(hnum INTEGER PRIMARY KEY, blob BLOB NOT NULL)`), read from the
 * file's bytes through sqlite3_deserialize: no temporary file.
 */
export function readSqliteRpmdb(bytes: Buffer, source: string): Buffer[] {
  if (bytes.length < 100 || !bytes.subarray(0, 16).equals(SQLITE_MAGIC)) {
    throw new CustomsError(
      'ANALYZE_FILE_INVALID',
      `${source}: not an SQLite database (bad header); the RPM database is corrupt`,
    );
  }
  // rpm opens its database in WAL mode (header bytes 18-19 = 2). A deserialized
  // database has no -wal/-shm files to go with it, and SQLite refuses WAL there;
  // marking the copy as rollback-journal (1) reads the same committed pages.
  const copy = Buffer.from(bytes);
  if (copy[18] === 2) copy[18] = 1;
  if (copy[19] === 2) copy[19] = 1;
  let db: Database.Database | undefined;
  try {
    db = new Database(copy, { readonly: true });
    const rows = db.prepare('SELECT blob FROM Packages ORDER BY hnum').raw(true).all() as unknown[][];
    const out: Buffer[] = [];
    for (const row of rows) {
      const blob = row[0];
      if (!Buffer.isBuffer(blob))
        throw new CustomsError(
          'ANALYZE_FILE_INVALID',
          `${source}: a Packages row holds no blob; the RPM database is corrupt`,
        );
      out.push(blob);
    }
    return out;
  } catch (e) {
    if (e instanceof CustomsError) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw new CustomsError(
      'ANALYZE_FILE_INVALID',
      `${source}: SQLite cannot read the rpm Packages table (${why}); the RPM database is corrupt or not rpm's`,
      e,
    );
  } finally {
    db?.close();
  }
}
