/**
 * How big a state store is, per table (docs/deploy.md "Sizing"; rescan-bench.ts
 * --store-size): PostgreSQL's pg_database_size and pg_total_relation_size (a table
 * with its indexes and TOAST, https://www.postgresql.org/docs/current/functions-admin.html),
 * SQLite's file size and its dbstat virtual table (every b-tree's pages, an index
 * counted with its table, https://www.sqlite.org/dbstat.html).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { SQLITE_FILE } from '../src/store/sqlite-backend.js';

export interface Sizes {
  /** Bytes of the whole database (PostgreSQL) or file (SQLite). */
  readonly total: number;
  /** Bytes per table, its indexes (and TOAST) included. */
  readonly tables: Map<string, number>;
}

export async function postgresSizes(url: string): Promise<Sizes> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const total = await client.query<{ n: string }>('SELECT pg_database_size(current_database()) AS n');
    const rows = await client.query<{ name: string; n: string }>(
      `SELECT c.relname AS name, pg_total_relation_size(c.oid) AS n FROM pg_class c
         JOIN pg_namespace s ON s.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND s.nspname = current_schema()`,
    );
    return { total: Number(total.rows[0]?.n), tables: new Map(rows.rows.map((r) => [r.name, Number(r.n)])) };
  } finally {
    await client.end();
  }
}

export function sqliteSizes(dir: string): Sizes {
  const file = join(dir, SQLITE_FILE);
  const db = new Database(file);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    // dbstat (SQLite's own page accounting): every b-tree, indexes attributed to their table.
    const rows = db
      .prepare(
        `SELECT coalesce(m.tbl_name, s.name) AS name, sum(s.pgsize) AS n FROM dbstat s
           LEFT JOIN sqlite_schema m ON m.name = s.name GROUP BY 1`,
      )
      .all() as { name: string; n: number }[];
    const wal = existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0;
    return { total: statSync(file).size + wal, tables: new Map(rows.map((r) => [r.name, r.n])) };
  } finally {
    db.close();
  }
}
