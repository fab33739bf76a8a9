/**
 * Stored policies (the policy file's text, revisioned) and exceptions to
 * them: who owns the exception, why, until when, and who approved it. An
 * exception applies only once approved, until it expires or is revoked.
 */
import type { Selectable } from 'kysely';
import { CustomsError } from '../core/index.js';
import type { Db, PoliciesTable, PolicyExceptionsTable } from './db-schema.js';
import type { PolicyRepository } from './repository.js';
import type { StoreContext } from './store-context.js';
import type { ExceptionRecord, PolicyRecord } from './types.js';

const toPolicy = (r: Selectable<PoliciesTable>): PolicyRecord => ({
  id: r.id,
  name: r.name,
  revision: r.revision,
  body: r.body,
  updatedBy: r.updated_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

type ExceptionRow = Selectable<PolicyExceptionsTable> & { policy_name: string | null };

const toException = (r: ExceptionRow): ExceptionRecord => ({
  id: r.id,
  ...(r.policy_name !== null ? { policy: r.policy_name } : {}),
  finding: r.finding,
  scope: r.scope,
  owner: r.owner,
  reason: r.reason,
  expiresAt: r.expires_at,
  createdBy: r.created_by,
  ...(r.approved_by !== null ? { approvedBy: r.approved_by } : {}),
  ...(r.approved_at !== null ? { approvedAt: r.approved_at } : {}),
  createdAt: r.created_at,
  ...(r.revoked_at !== null ? { revokedAt: r.revoked_at } : {}),
});

const exceptionsQuery = (db: Db) =>
  db
    .selectFrom('policy_exceptions')
    .leftJoin('policies', 'policies.id', 'policy_exceptions.policy_id')
    .selectAll('policy_exceptions')
    .select('policies.name as policy_name');

export function policyRepository(ctx: StoreContext): PolicyRepository {
  const { backend } = ctx;
  const policyByName = async (db: Db, name: string): Promise<PolicyRecord | undefined> => {
    const row = await db.selectFrom('policies').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? toPolicy(row) : undefined;
  };
  const exceptionById = async (db: Db, id: number): Promise<ExceptionRecord | undefined> => {
    const row = await exceptionsQuery(db).where('policy_exceptions.id', '=', id).executeTakeFirst();
    return row ? toException(row) : undefined;
  };

  return {
    put: (input) =>
      backend.write(async (trx) => {
        const now = ctx.now();
        await trx
          .insertInto('policies')
          .values({
            name: input.name,
            revision: 1,
            body: input.body,
            updated_by: input.updatedBy,
            created_at: now,
            updated_at: now,
          })
          // A changed body is a new revision; the same body again changes nothing.
          .onConflict((oc) =>
            oc
              .column('name')
              .doUpdateSet((eb) => ({
                body: eb.ref('excluded.body'),
                updated_by: eb.ref('excluded.updated_by'),
                updated_at: eb.ref('excluded.updated_at'),
                revision: eb(eb.ref('policies.revision'), '+', 1),
              }))
              .where((eb) => eb('policies.body', '<>', eb.ref('excluded.body'))),
          )
          .execute();
        const policy = await policyByName(trx, input.name);
        if (!policy) throw new Error(`policy ${input.name} vanished inside its own transaction`);
        return policy;
      }),
    get: (name) => policyByName(backend.db, name),
    async list() {
      const rows = await backend.db.selectFrom('policies').selectAll().orderBy('name').execute();
      return rows.map(toPolicy);
    },
    async remove(name) {
      const r = await backend.db.deleteFrom('policies').where('name', '=', name).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },
    addException: (input) =>
      backend.write(async (trx) => {
        let policyId: number | null = null;
        if (input.policy !== undefined) {
          const p = await trx.selectFrom('policies').select('id').where('name', '=', input.policy).executeTakeFirst();
          if (!p) {
            throw new CustomsError(
              'USAGE_BAD_ARGUMENT',
              `no stored policy named ${JSON.stringify(input.policy)}: store the policy first, or omit it for an exception to every policy`,
            );
          }
          policyId = p.id;
        }
        const { id } = await trx
          .insertInto('policy_exceptions')
          .values({
            policy_id: policyId,
            finding: input.finding,
            scope: input.scope,
            owner: input.owner,
            reason: input.reason,
            expires_at: input.expiresAt,
            created_by: input.createdBy,
            created_at: ctx.now(),
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const e = await exceptionById(trx, id);
        if (!e) throw new Error(`exception ${id} vanished inside its own transaction`);
        return e;
      }),
    approveException: (id, approvedBy) =>
      backend.write(async (trx) => {
        const r = await trx
          .updateTable('policy_exceptions')
          .set({ approved_by: approvedBy, approved_at: ctx.now() })
          .where('id', '=', id)
          .where('approved_by', 'is', null)
          .where('revoked_at', 'is', null)
          .executeTakeFirst();
        const e = await exceptionById(trx, id);
        if (!e) throw new CustomsError('USAGE_BAD_ARGUMENT', `no exception with id ${id}`);
        if (r.numUpdatedRows === 0n) {
          throw new CustomsError(
            'STORE_CONFLICT',
            `exception ${id} is ${e.revokedAt !== undefined ? 'revoked' : `already approved by ${e.approvedBy}`}`,
          );
        }
        return e;
      }),
    async revokeException(id) {
      const r = await backend.db
        .updateTable('policy_exceptions')
        .set({ revoked_at: ctx.now() })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },
    async activeExceptions(opts = {}) {
      const at = opts.at ?? ctx.now();
      let q = exceptionsQuery(backend.db)
        .where('policy_exceptions.approved_by', 'is not', null)
        .where('policy_exceptions.revoked_at', 'is', null)
        .where('policy_exceptions.expires_at', '>', at);
      if (opts.policy !== undefined) {
        const policy = opts.policy;
        q = q.where((eb) => eb.or([eb('policies.name', '=', policy), eb('policy_exceptions.policy_id', 'is', null)]));
      }
      const rows = await q.orderBy('policy_exceptions.id').execute();
      return rows.map(toException);
    },
    async exceptions() {
      const rows = await exceptionsQuery(backend.db).orderBy('policy_exceptions.id').execute();
      return rows.map(toException);
    },
  };
}
