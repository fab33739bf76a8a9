/**
 * Scan requests received through the Harbor pluggable scanner API
 * (server/harbor/): the artifact, the job that scans it, and the pull
 * authorization Harbor sent — sealed with the store key, bound to the
 * request id, and dropped once the job is done with it.
 */
import type { Selectable } from 'kysely';
import { CustomsError } from '../core/index.js';
import { conflictAs } from './backend.js';
import type { HarborScansTable } from './db-schema.js';
import type { HarborScanRecord } from './notification-types.js';
import type { HarborScanRepository } from './repository.js';
import { openSecret, sealSecret } from './secret-box.js';
import type { StoreContext } from './store-context.js';

const toRecord = (r: Selectable<HarborScansTable>): HarborScanRecord => ({
  id: r.id,
  registryUrl: r.registry_url,
  repository: r.repository,
  digest: r.digest,
  ...(r.tag !== null ? { tag: r.tag } : {}),
  ...(r.mime_type !== null ? { mimeType: r.mime_type } : {}),
  hasAuthorization: r.pull_auth !== null,
  ...(r.job_id !== null ? { jobId: r.job_id } : {}),
  createdAt: r.created_at,
});

const sealingContext = (id: string): string => `harbor-scan:${id}`;

export function harborScanRepository(ctx: StoreContext): HarborScanRepository {
  const { backend } = ctx;
  const key = (what: string) => {
    if (ctx.secretKey === undefined) {
      throw new CustomsError(
        'STORE_SECRET_INVALID',
        `cannot ${what} the pull authorization of a Harbor scan request: the store was opened without a key (set CUSTOMS_STORE_KEY to 32 bytes, hex or base64)`,
      );
    }
    return ctx.secretKey;
  };
  return {
    async add(input) {
      const sealed =
        input.authorization !== undefined
          ? sealSecret(key('store'), input.authorization, sealingContext(input.id))
          : null;
      const row = await conflictAs(`a Harbor scan request ${input.id} exists already`, () =>
        backend.write((trx) =>
          trx
            .insertInto('harbor_scans')
            .values({
              id: input.id,
              job_id: null,
              registry_url: input.registryUrl,
              repository: input.repository,
              digest: input.digest,
              tag: input.tag ?? null,
              mime_type: input.mimeType ?? null,
              pull_auth: sealed,
              created_at: ctx.now(),
            })
            .returningAll()
            .executeTakeFirstOrThrow(),
        ),
      );
      return toRecord(row);
    },
    async get(id) {
      const row = await backend.db.selectFrom('harbor_scans').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },
    async setJob(id, jobId) {
      await backend.write((trx) =>
        trx.updateTable('harbor_scans').set({ job_id: jobId }).where('id', '=', id).execute(),
      );
    },
    async authorization(id) {
      const row = await backend.db
        .selectFrom('harbor_scans')
        .select('pull_auth')
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row?.pull_auth) return undefined;
      return openSecret(key('open'), row.pull_auth, sealingContext(id)).toString('utf8');
    },
    async dropAuthorizationsBefore(before) {
      const r = await backend.write((trx) =>
        trx
          .updateTable('harbor_scans')
          .set({ pull_auth: null })
          .where('pull_auth', 'is not', null)
          .where('created_at', '<', before)
          .executeTakeFirst(),
      );
      return Number(r.numUpdatedRows);
    },
    async dropAuthorization(id) {
      await backend.write((trx) =>
        trx.updateTable('harbor_scans').set({ pull_auth: null }).where('id', '=', id).execute(),
      );
    },
  };
}
