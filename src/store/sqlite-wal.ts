import type Database from 'better-sqlite3';

/**
 * What SQLite answers a WAL switch while other processes open, switch or close the same new
 * file: SQLITE_BUSY at once where waiting could deadlock (busy_timeout does not apply), and,
 * seen when another process removed a journal or -wal file under the switch,
 * SQLITE_IOERR_FSTAT, SQLITE_IOERR_DELETE_NOENT and SQLITE_CANTOPEN. Six processes opening a
 * new layer cache at one moment met one of them in about one run in six
 * (src/store/layer-cache.test.ts).
 */
const TRANSIENT = new Set(['SQLITE_BUSY', 'SQLITE_IOERR_FSTAT', 'SQLITE_IOERR_DELETE_NOENT', 'SQLITE_CANTOPEN']);

/**
 * Put a SQLite database in WAL mode (https://sqlite.org/wal.html). The switch needs the
 * database to itself: on a transient answer (TRANSIENT) retry, with a growing pause, for up
 * to `timeoutMs`. Once the file is in WAL mode the switch takes no lock. The state store and
 * the layer cache both open this way.
 */
export function switchToWal(database: Database.Database, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
    try {
      database.pragma('journal_mode = WAL');
      return;
    } catch (e) {
      if (!TRANSIENT.has(String((e as { code?: unknown }).code)) || Date.now() >= deadline) throw e;
      Atomics.wait(pause, 0, 0, wait);
    }
  }
}
