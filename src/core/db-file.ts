/**
 * Where the vulnerability DB lives: one file in the DB directory (Config.dbDir,
 * env CUSTOMS_DB_DIR). The name is here rather than in vulndb/ so that the CLI,
 * the engine and the DB code agree on it without loading SQLite to learn it.
 */
import { join } from 'node:path';

/** File name of the vulnerability DB inside the DB directory. */
export const DB_FILE = 'customs.db';

/** The DB file of a DB directory. */
export function dbPath(dbDir: string): string {
  return join(dbDir, DB_FILE);
}
