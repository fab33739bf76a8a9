/**
 * Bring a store's schema up to date: the versions a store has run are rows
 * of schema_migrations; the pending ones run in order in one transaction,
 * under a lock so that processes starting together do not both migrate
 * (SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction-scoped advisory lock).
 * A store that has run a version this code does not know was migrated by a
 * newer customs: it is refused before anything is read or written.
 */
import { sql } from 'kysely';
import { CustomsError } from '../core/index.js';
import type { Backend } from './backend.js';
import type { Db } from './db-schema.js';
import { MIGRATIONS, type Migration, SQL_TYPES } from './migrations.js';

/** Key of the advisory lock that serialises migrations on PostgreSQL (any constant; "cstm" in ASCII). */
const MIGRATION_LOCK = 0x6373746d;

export interface MigrationReport {
  /** The schema version before, 0 for an empty database. */
  readonly from: number;
  readonly to: number;
  readonly applied: readonly number[];
}

async function appliedVersions(trx: Db): Promise<number[]> {
  const rows = await trx.selectFrom('schema_migrations').select('version').orderBy('version').execute();
  return rows.map((r) => r.version);
}

/** Check that versions run 1, 2, 3 … (a gap or a repeat is a programming error). */
function checkSequence(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
}

export async function migrate(
  backend: Backend,
  now: () => number,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationReport> {
  checkSequence(migrations);
  const latest = migrations.length;
  return backend.write(async (trx) => {
    if (backend.dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx);
    await trx.schema
      .createTable('schema_migrations')
      .ifNotExists()
      .addColumn('version', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('applied_at', 'bigint', (c) => c.notNull())
      .execute();
    const done = await appliedVersions(trx);
    const from = done.at(-1) ?? 0;
    if (from > latest) {
      throw new CustomsError(
        'STORE_SCHEMA_NEWER',
        `the state store ${backend.location} has schema version ${from}, newer than the versions this customs knows (up to ${latest}); ` +
          'run the customs release that migrated it, or a newer one — migrations are forward-only, there is no downgrade',
      );
    }
    const applied: number[] = [];
    for (const m of migrations.slice(from)) {
      for (const statement of m.up(SQL_TYPES[backend.dialect])) await sql.raw(statement).execute(trx);
      await trx
        .insertInto('schema_migrations')
        .values({ version: m.version, name: m.name, applied_at: now() })
        .execute();
      applied.push(m.version);
    }
    return { from, to: Math.max(from, latest), applied };
  });
}

/** The schema version of an open store (0 before the first migration). */
export async function schemaVersion(db: Db): Promise<number> {
  const row = await db
    .selectFrom('schema_migrations')
    .select((eb) => eb.fn.max('version').as('v'))
    .executeTakeFirst();
  return row?.v ?? 0;
}
