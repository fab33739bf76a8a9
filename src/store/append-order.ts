/**
 * Append-only logs are read by cursor ("entries after id N"), so an entry
 * must never become visible after an entry with a larger id. On PostgreSQL
 * ids come from a sequence when the row is inserted, but transactions
 * commit in any order: a reader could see id 11, move its cursor past it,
 * and never see id 10 committed a moment later. Appending under a
 * transaction-scoped advisory lock makes appends commit in id order (the
 * lock is held until commit; appends come last in their transactions).
 * SQLite has one writer at a time, so its order is already the commit order.
 */
import { sql } from 'kysely';
import type { Dialect } from './backend.js';
import type { Db } from './db-schema.js';

/** Advisory lock keys, one per log (any constants: "cste", "csta" in ASCII). */
const LOCKS = { events: 0x63737465, audit: 0x63737461 } as const;

export async function lockAppends(trx: Db, dialect: Dialect, log: keyof typeof LOCKS): Promise<void> {
  if (dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(${LOCKS[log]})`.execute(trx);
}
