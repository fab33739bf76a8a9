/**
 * The server backend: PostgreSQL through node-postgres (`pg`), from a
 * postgres:// URL (libpq connection URI syntax, PostgreSQL docs 34.1.1).
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import { CustomsError } from '../core/index.js';
import type { Backend } from './backend.js';
import type { Db, Tables } from './db-schema.js';

/** PostgreSQL type OID of int8/bigint (pg_type.dat). */
const INT8_OID = 20;

export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}

export interface PostgresOptions {
  /** Connections in the pool (default 10). */
  readonly poolSize?: number;
}

export async function openPostgresBackend(url: string, opts: PostgresOptions = {}): Promise<Backend> {
  const location = redactUrl(url);
  // Loaded here, not with the store: every command that opens the layer cache imports the
  // store, and node-postgres costs ~40 ms to load (it also pulls in Node's own fetch).
  const { default: postgres } = await import('pg');
  const pool = new postgres.Pool({
    connectionString: url,
    max: opts.poolSize ?? 10,
    // Times and ids are BIGINT; they stay below 2^53, so read them as numbers, not strings.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary'
          ? (v: string) => Number(v)
          : postgres.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection that the server closes must not crash the process; the
  // pool replaces it on the next query.
  pool.on('error', () => undefined);
  const db: Db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`SELECT 1`.execute(db);
  } catch (e) {
    await db.destroy();
    throw new CustomsError(
      'STORE_UNAVAILABLE',
      `cannot connect to the state store ${location}: ${(e as Error).message}`,
      e,
    );
  }
  return {
    dialect: 'postgres',
    location,
    db,
    write: <T>(fn: (trx: Db) => Promise<T>): Promise<T> => db.transaction().execute(fn),
    close: () => db.destroy(),
  };
}
