/**
 * The audit log: who did what, to what, when and from where. Append-only:
 * the interface has no update or delete, so an API token cannot erase its
 * own traces through the store.
 */
import type { Selectable } from 'kysely';
import { lockAppends } from './append-order.js';
import type { AuditLogTable } from './db-schema.js';
import { pageSize } from './events.js';
import type { AuditLog } from './repository.js';
import type { StoreContext } from './store-context.js';
import type { AuditRecord } from './types.js';

const toAudit = (r: Selectable<AuditLogTable>): AuditRecord => ({
  id: r.id,
  at: r.at,
  actor: r.actor,
  action: r.action,
  target: r.target,
  source: r.source,
  detail: JSON.parse(r.detail) as unknown,
});

export function auditLog(ctx: StoreContext): AuditLog {
  const { backend } = ctx;
  return {
    append: (input) =>
      backend.write(async (trx) => {
        await lockAppends(trx, backend.dialect, 'audit');
        const row = await trx
          .insertInto('audit_log')
          .values({
            at: ctx.now(),
            actor: input.actor,
            action: input.action,
            target: input.target,
            source: input.source,
            detail: JSON.stringify(input.detail ?? null),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toAudit(row);
      }),
    async list(query = {}) {
      let q = backend.db
        .selectFrom('audit_log')
        .selectAll()
        .where('id', '>', query.afterId ?? 0);
      if (query.actor !== undefined) q = q.where('actor', '=', query.actor);
      const rows = await q.orderBy('id').limit(pageSize(query.limit)).execute();
      return rows.map(toAudit);
    },
  };
}
