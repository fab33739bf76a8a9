/**
 * The event log: an append-only table read by cursor (id), the source of
 * webhooks and server-sent events. Repositories append their events in the
 * same transaction as the change (tag.moved, scan.recorded), so an event is
 * never lost nor emitted for a change that rolled back.
 */
import type { Selectable } from 'kysely';
import { lockAppends } from './append-order.js';
import type { Dialect } from './backend.js';
import type { Db, EventsTable } from './db-schema.js';
import type { EventLog } from './repository.js';
import type { StoreContext } from './store-context.js';
import type { EventInput, EventRecord } from './types.js';

/** Largest page of a log read. */
export const MAX_PAGE = 1000;

export function pageSize(limit: number | undefined): number {
  return Math.max(1, Math.min(limit ?? 100, MAX_PAGE));
}

const toEvent = (r: Selectable<EventsTable>): EventRecord => ({
  id: r.id,
  type: r.type,
  subject: r.subject,
  data: JSON.parse(r.data) as unknown,
  createdAt: r.created_at,
});

/** Append inside the caller's transaction, as its last write (append-order.ts). */
export async function appendEvent(trx: Db, dialect: Dialect, at: number, input: EventInput): Promise<EventRecord> {
  await lockAppends(trx, dialect, 'events');
  const row = await trx
    .insertInto('events')
    .values({ type: input.type, subject: input.subject, data: JSON.stringify(input.data ?? null), created_at: at })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toEvent(row);
}

export function eventLog(ctx: StoreContext): EventLog {
  const { backend } = ctx;
  return {
    append: (input) => backend.write((trx) => appendEvent(trx, backend.dialect, ctx.now(), input)),
    async list(query = {}) {
      let q = backend.db
        .selectFrom('events')
        .selectAll()
        .where('id', '>', query.afterId ?? 0);
      if (query.type !== undefined) q = q.where('type', '=', query.type);
      const rows = await q.orderBy('id').limit(pageSize(query.limit)).execute();
      return rows.map(toEvent);
    },
  };
}
