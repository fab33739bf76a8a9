/**
 * What the repositories need from a database: a query builder over the
 * tables and write transactions with the right locking for the dialect.
 * sqlite-backend.ts and postgres-backend.ts provide it.
 */
import { CustomsError } from '../core/index.js';
import type { Db } from './db-schema.js';

export const DIALECTS = ['sqlite', 'postgres'] as const;
export type Dialect = (typeof DIALECTS)[number];

export interface Backend {
  readonly dialect: Dialect;
  /** Where the store is, for messages: the SQLite file, or the URL without its password. */
  readonly location: string;
  readonly db: Db;
  /**
   * Run `fn` in one write transaction and commit, or roll back when it throws.
   * SQLite: BEGIN IMMEDIATE, so the write lock is taken up front and waits for
   * other processes (busy_timeout) instead of failing when a read upgrades to
   * a write. PostgreSQL: READ COMMITTED; code that must serialise takes row
   * locks (SELECT … FOR UPDATE) or SKIP LOCKED itself.
   * Calls must not nest: `fn` uses only the executor it is given.
   */
  write<T>(fn: (trx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A UNIQUE or PRIMARY KEY violation, from either driver. */
export function isUniqueViolation(e: unknown): boolean {
  if (typeof e !== 'object' || e === null || !('code' in e)) return false;
  const code = (e as { code: unknown }).code;
  // PostgreSQL SQLSTATE 23505 unique_violation (Appendix A); better-sqlite3 extended result codes.
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Run `fn`; a unique violation becomes STORE_CONFLICT with `message`. */
export async function conflictAs<T>(message: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isUniqueViolation(e)) throw new CustomsError('STORE_CONFLICT', message, e);
    throw e;
  }
}
