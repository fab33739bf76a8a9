/**
 * The embedded backend: one SQLite file (better-sqlite3) in a data directory.
 * WAL so readers never block the writer (https://sqlite.org/wal.html);
 * busy_timeout so a process waiting for another's write lock retries instead
 * of failing with SQLITE_BUSY; foreign keys on (off by default in SQLite).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { CustomsError } from '../core/index.js';
import type { Backend } from './backend.js';
import type { Db, Tables } from './db-schema.js';
import { switchToWal } from './sqlite-wal.js';

/** The store's file inside its data directory. */
export const SQLITE_FILE = 'state.db';

/** How long a writer waits for another process's write lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 10_000;

export function openSqliteBackend(dir: string): Backend {
  const file = join(dir, SQLITE_FILE);
  let database: Database.Database;
  try {
    mkdirSync(dir, { recursive: true });
    database = new Database(file);
    // busy_timeout first: switching to WAL takes a lock that another process may hold.
    database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    switchToWal(database, BUSY_TIMEOUT_MS);
    database.pragma('foreign_keys = ON');
    // NORMAL is durable across application crashes in WAL mode; only a power
    // loss can drop the last transactions (https://sqlite.org/pragma.html#pragma_synchronous).
    database.pragma('synchronous = NORMAL');
  } catch (e) {
    throw new CustomsError(
      'STORE_UNAVAILABLE',
      `cannot open the state store ${file}: ${(e as Error).message}; use a writable data directory`,
      e,
    );
  }
  const db: Db = new Kysely<Tables>({ dialect: new SqliteDialect({ database }) });
  return {
    dialect: 'sqlite',
    location: file,
    db,
    // Kysely's SQLite driver has one connection behind a mutex; holding it for
    // the callback keeps other queries of this process out of the transaction.
    write: <T>(fn: (trx: Db) => Promise<T>): Promise<T> =>
      db.connection().execute(async (conn) => {
        await sql`BEGIN IMMEDIATE`.execute(conn);
        try {
          const result = await fn(conn);
          await sql`COMMIT`.execute(conn);
          return result;
        } catch (e) {
          // SQLite rolls back by itself after some errors (SQLITE_FULL, SQLITE_IOERR …).
          if (database.inTransaction) await sql`ROLLBACK`.execute(conn);
          throw e;
        }
      }),
    close: () => db.destroy(),
  };
}
